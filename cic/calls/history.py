"""A resident's earlier calls, for the screen pop (newest first, with the agents' wrap-ups)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cic.calls.models import Call, CallWrapup
from cic.db import Store

WITHHELD = {"", "anonymous", "unknown", "restricted", "private", "unavailable", "withheld"}


async def earlier_calls(
    store: Store, caller_number: str, *, exclude: str = "", limit: int = 10
) -> list[dict[str, Any]]:
    """The caller's latest calls except ``exclude``; none for a withheld number."""
    if caller_number.strip().lower() in WITHHELD:
        return []

    def read(session: Session) -> list[dict[str, Any]]:
        calls = session.scalars(
            select(Call)
            .where(Call.caller_number == caller_number, Call.call_id != exclude)
            .order_by(Call.id.desc())
            .limit(limit)
        ).all()
        ids = [c.call_id for c in calls]
        wrapups: dict[str, dict[str, Any]] = {}
        for w in session.scalars(select(CallWrapup).where(CallWrapup.call_id.in_(ids))):
            wrapups[w.call_id] = w.as_dict()
        return [
            {
                "call_id": c.call_id,
                "entered_at": c.entered_at.isoformat() if c.entered_at else None,
                "agent": c.agent,
                "outcome": c.outcome,
                "wrapup": wrapups.get(c.call_id),
            }
            for c in calls
        ]

    return await store.run(read)
