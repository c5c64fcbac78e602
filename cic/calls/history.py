"""A resident's earlier calls, for the screen pop (newest first, with the agents' wrap-ups), and
one call's timeline."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from cic.calls.models import Call, CallEvent, CallWrapup
from cic.calls.schemas import EarlierCall, TimelineEntry, WrapupOut
from cic.db import Store

WITHHELD = {"", "anonymous", "unknown", "restricted", "private", "unavailable", "withheld"}


def call_timeline(session: Session, call_id: str) -> list[TimelineEntry]:
    """The call's timeline entries in order (``at`` ISO text, ``type``, ``data``)."""
    rows = session.scalars(
        select(CallEvent).where(CallEvent.call_id == call_id).order_by(CallEvent.at, CallEvent.id)
    )
    return [entry.as_dict() for entry in rows]


def calls_from(
    session: Session, numbers: list[str], *, exclude: str = "", limit: int = 10
) -> list[EarlierCall]:
    """The latest calls from any of ``numbers`` (exact caller numbers) except ``exclude``,
    newest first, each with its wrap-up (the last agent's when several wrapped it up)."""
    if not numbers:
        return []
    calls = session.scalars(
        select(Call)
        .where(Call.caller_number.in_(numbers), Call.call_id != exclude)
        .order_by(Call.id.desc())
        .limit(limit)
    ).all()
    ids = [c.call_id for c in calls]
    wrapups: dict[str, WrapupOut] = {}
    for w in session.scalars(
        select(CallWrapup).where(CallWrapup.call_id.in_(ids)).order_by(CallWrapup.id)
    ):
        wrapups[w.call_id] = w.as_dict()
    return [
        {
            "call_id": c.call_id,
            "entered_at": c.entered_at.isoformat() if c.entered_at else None,
            "caller_number": c.caller_number,
            "agent": c.agent,
            "outcome": c.outcome,
            "wrapup": wrapups.get(c.call_id),
        }
        for c in calls
    ]


async def earlier_calls(
    store: Store,
    caller_number: str,
    *,
    exclude: str = "",
    limit: int = 10,
    numbers: list[str] | None = None,
) -> list[EarlierCall]:
    """The caller's latest calls except ``exclude``; none for a withheld number. ``numbers``
    widens the search to every spelling of every number of a known resident."""
    if caller_number.strip().lower() in WITHHELD:
        return []
    wanted = sorted({caller_number, *(numbers or [])})
    return await store.run(lambda s: calls_from(s, wanted, exclude=exclude, limit=limit))
