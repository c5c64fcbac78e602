"""Database work of the transfers domain: open (the store half of the per-call lock), step, read.

Every function takes a SQLAlchemy session and returns plain dicts, so the service runs them
with ``Store.run`` in a worker thread.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from cic.transfers.errors import TransferInProgress, TransferStateError
from cic.transfers.machine import advance, is_open
from cic.transfers.models import Transfer, TransferLeg
from cic.transfers.schemas import TransferOut, TransferWithLegs


def open_transfer(session: Session, fields: dict[str, Any], at: datetime) -> TransferOut:
    """Insert an open transfer; :class:`TransferInProgress` if the call already has one."""
    call_id = fields["call_id"]
    if session.scalar(select(Transfer.id).where(Transfer.active_call_id == call_id)) is not None:
        raise TransferInProgress()
    row = Transfer(**fields, active_call_id=call_id, created_at=at, updated_at=at)
    session.add(row)
    session.flush()  # the unique active_call_id refuses a second open transfer here
    session.add(TransferLeg(transfer_id=row.id, at=at, step="requested", party=row.from_agent,
                            detail=f"{row.target_kind}:{row.target}"))  # fmt: skip
    return row.summary()


def open_for_call(session: Session, call_id: str) -> TransferOut | None:
    """The call's open transfer, if any."""
    row = session.scalars(select(Transfer).where(Transfer.active_call_id == call_id)).first()
    return row.summary() if row is not None else None


def latest_for_call(session: Session, call_id: str) -> TransferOut | None:
    """The call's newest transfer (open or ended), if any."""
    row = session.scalars(
        select(Transfer).where(Transfer.call_id == call_id).order_by(Transfer.id.desc())
    ).first()
    return row.summary() if row is not None else None


def add_leg(
    session: Session, transfer_id: int, at: datetime, step: str, party: str, detail: str = ""
) -> None:
    """Record one leg step (ringing, answered, failed, ...) of a transfer."""
    session.add(TransferLeg(transfer_id=transfer_id, at=at, step=step, party=party,
                            detail=detail))  # fmt: skip


def leg_steps(session: Session, transfer_id: int) -> set[str]:
    """The steps recorded for a transfer so far."""
    rows = session.scalars(select(TransferLeg.step).where(TransferLeg.transfer_id == transfer_id))
    return set(rows)


def step(
    session: Session,
    transfer_id: int,
    version: int,
    name: str,
    at: datetime,
    reason: str = "",
) -> TransferOut:
    """Apply step ``name`` if the row is still at ``version`` (else 409); returns the new row.

    A step into a final state releases the call's lock (``active_call_id`` becomes NULL).
    """
    row = session.get(Transfer, transfer_id)
    if row is None or row.version != version:
        raise TransferStateError(row.state if row is not None else "?", name)
    new_state = advance(row.state, name)
    values: dict[str, Any] = {"state": new_state, "version": version + 1, "updated_at": at}
    if reason:
        values["reason"] = reason[:255]
    if not is_open(new_state):
        values["active_call_id"] = None
        values["ended_at"] = at
    done = session.execute(
        update(Transfer)
        .where(Transfer.id == transfer_id, Transfer.version == version)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if getattr(done, "rowcount", 1) != 1:
        raise TransferStateError(row.state, name)
    session.add(TransferLeg(transfer_id=transfer_id, at=at, step=new_state, party="",
                            detail=reason))  # fmt: skip
    session.flush()
    session.refresh(row)
    return row.summary()


def for_call(session: Session, call_id: str) -> list[TransferWithLegs]:
    """Every transfer of the call, oldest first, each with its legs."""
    rows = session.scalars(
        select(Transfer).where(Transfer.call_id == call_id).order_by(Transfer.id)
    ).all()
    out: list[TransferWithLegs] = []
    for row in rows:
        legs = session.scalars(
            select(TransferLeg).where(TransferLeg.transfer_id == row.id).order_by(TransferLeg.id)
        ).all()
        out.append({**row.summary(), "legs": [leg.summary() for leg in legs]})
    return out
