"""Gapless case numbers per (unit, JRWA class, year), safe when officials register at once.

One counter row per key, incremented in the SAME transaction as the case insert:

1. ``INSERT ... ON CONFLICT DO NOTHING`` creates the row at 0 the first time;
2. ``UPDATE ... SET last_number = last_number + 1 ... RETURNING last_number`` takes the row's
   write lock (PostgreSQL) or the database's write lock (SQLite) until the transaction ends,
   so a second registration waits and then reads the incremented value.

A registration that rolls back rolls its increment back too, so no number is lost. Call
``next_number`` as the FIRST write of the transaction: on SQLite the transaction then starts
as a writer and waits (``busy_timeout``) instead of failing to upgrade a read lock.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from cic.cases.models import CaseCounter


def next_number(session: Session, unit: str, jrwa: str, year: int) -> int:
    """The next case number for the key, counted inside ``session``'s transaction."""
    values = {"unit": unit, "jrwa": jrwa, "year": year, "last_number": 0}
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(CaseCounter).values(**values).on_conflict_do_nothing())
    bumped = session.execute(
        update(CaseCounter)
        .where(CaseCounter.unit == unit, CaseCounter.jrwa == jrwa, CaseCounter.year == year)
        .values(last_number=CaseCounter.last_number + 1)
        .returning(CaseCounter.last_number)
    ).scalar_one()
    return int(bumped)
