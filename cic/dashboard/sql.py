"""Small query helpers the measures share: counts in a period, grouped and per local day.

Stored times are UTC; a period's days are the office's. Counting per day is done in SQL per
UTC hour (``hour``: the same expression's meaning on SQLite and PostgreSQL) and the hours
are then put on the office's days in Python, so a query returns at most 24 rows a day
whatever the number of records and no database needs to know the office's time zone.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, extract, func, select, type_coerce
from sqlalchemy.orm import InstrumentedAttribute, Session

from cic.dashboard.period import Period
from cic.dashboard.schemas import Part, Point
from cic.db import UTCDateTime

Column = InstrumentedAttribute[Any] | ColumnElement[Any]


def within(column: Column, period: Period) -> ColumnElement[bool]:
    """``start <= column < end`` for the period's UTC bounds."""
    start, end = period.bounds()
    return (column >= start) & (column < end)


def on_days(column: Column, period: Period) -> ColumnElement[bool]:
    """``first <= column <= last`` for a date column (already the office's calendar day)."""
    return (column >= period.first) & (column <= period.last)


def dialect(session: Session) -> str:
    """The name of the session's database dialect (``sqlite``, ``postgresql``)."""
    return session.get_bind().dialect.name


def hour(session: Session, column: Column) -> ColumnElement[datetime]:
    """``column`` cut down to its UTC hour, read back as an aware UTC datetime."""
    if dialect(session) == "sqlite":
        return type_coerce(func.strftime("%Y-%m-%d %H:00:00", column), UTCDateTime())
    return type_coerce(func.date_trunc("hour", column), UTCDateTime())


def days_between(session: Session, start: Column, end: Column) -> ColumnElement[Any]:
    """``end - start`` in days (fractional for times, whole for dates)."""
    if dialect(session) == "sqlite":
        return func.julianday(end) - func.julianday(start)
    difference = end - start
    if isinstance(getattr(start, "type", None), UTCDateTime):
        return extract("epoch", difference) / 86400.0
    return difference


def count(session: Session, *where: ColumnElement[bool], of: Column) -> int:
    """How many rows of ``of``'s table match ``where``."""
    return int(session.scalar(select(func.count(of)).where(*where)) or 0)


def grouped(session: Session, group: Column, *where: ColumnElement[bool]) -> dict[str, int]:
    """Row counts per value of ``group`` among rows matching ``where``."""
    rows = session.execute(select(group, func.count()).where(*where).group_by(group)).all()
    return {str(key): int(n) for key, n in rows}


def daily(
    session: Session, period: Period, column: Column, *where: ColumnElement[bool]
) -> dict[date, int]:
    """How many rows have ``column`` on each of the period's days (office time)."""
    bucket = hour(session, column).label("hour")
    query = select(bucket, func.count()).where(within(column, period), *where).group_by(bucket)
    days: dict[date, int] = defaultdict(int)
    for at, n in session.execute(query).all():
        days[period.local_day(at)] += int(n)
    return dict(days)


def daily_grouped(
    session: Session, period: Period, column: Column, group: Column, *where: ColumnElement[bool]
) -> dict[date, dict[str, int]]:
    """Row counts per day (office time) and value of ``group``, in one query."""
    bucket = hour(session, column).label("hour")
    query = (
        select(bucket, group, func.count())
        .where(within(column, period), *where)
        .group_by(bucket, group)
    )
    days: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for at, key, n in session.execute(query).all():
        days[period.local_day(at)][str(key)] += int(n)
    return {day: dict(counts) for day, counts in days.items()}


def totals(days: Mapping[date, Mapping[str, int]]) -> dict[str, int]:
    """The counts of ``daily_grouped`` added up over the days."""
    found: dict[str, int] = defaultdict(int)
    for counts in days.values():
        for key, n in counts.items():
            found[key] += n
    return dict(found)


def daily_dates(
    session: Session,
    period: Period,
    column: Column,
    *where: ColumnElement[bool],
    weight: Column | None = None,
) -> dict[date, int]:
    """How many rows (or the sum of ``weight``) have the date ``column`` on each day."""
    total = func.count() if weight is None else func.sum(weight)
    query = select(column, total).where(on_days(column, period), *where).group_by(column)
    return {day: int(n) for day, n in session.execute(query).all()}


def counts_series(period: Period, days: Mapping[date, float]) -> tuple[Point, ...]:
    """One point per day of the period, 0 on days without records."""
    return tuple(Point(day, float(days.get(day, 0))) for day in period.day_list())


def ratio(part: float, whole: float, scale: float = 100.0) -> float | None:
    """``scale * part / whole``, rounded to 0.1; None when there is nothing to divide by."""
    return None if not whole else round(scale * part / whole, 1)


def count_parts(
    now: Mapping[str, int],
    before: Mapping[str, int],
    labels: Mapping[str, str],
    drill: str = "",
    prefix: str = "",
) -> tuple[Part, ...]:
    """A part per key seen now, before or listed in ``labels`` (labels' order first, then by
    count); ``key`` is ``prefix + key`` so it names the drill-down's filter."""
    keys = list(labels) + sorted(
        (k for k in set(now) | set(before) if k not in labels), key=lambda k: (-now.get(k, 0), k)
    )
    return tuple(
        Part(
            f"{prefix}{k}",
            labels.get(k, k),
            float(now.get(k, 0)),
            float(before.get(k, 0)),
            count=now.get(k, 0),
            drill=drill,
        )
        for k in keys
    )


def fixed_parts(
    now: Mapping[str, int], before: Mapping[str, int], spec: Mapping[str, tuple[str, str]]
) -> tuple[Part, ...]:
    """A part per key of ``spec`` (key -> (label, drill key)) with its counts now and before."""
    return tuple(
        Part(key, label, float(now[key]), float(before[key]), count=now[key], drill=drill)
        for key, (label, drill) in spec.items()
    )
