"""Who owns a caller's open matter: the official assigned to an open case linked to a call
from any of the caller's numbers (every spelling, and the resident's other numbers).

Routing asks this on every call (bounded by its time-out) and rings the owner when they are
available, before the last agent: the owner knows the case.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from cic.agents.models import Agent
from cic.auth.models import User
from cic.calls.models import Call
from cic.cases.models import Case, CaseCall
from cic.cases.records import OPEN_STATUSES
from cic.db import Store
from cic.residents.models import ResidentNumber
from cic.residents.numbers import canonical_number, spellings

MAX_OWNERS = 5


def caller_numbers(session: Session, raw: str) -> list[str]:
    """Every spelling of ``raw`` and of the other numbers of the resident who has it."""
    number = canonical_number(raw)
    if number is None:
        return []
    owner = session.scalar(
        select(ResidentNumber.resident_id).where(ResidentNumber.number == number)
    )
    numbers = [number]
    if owner is not None:
        numbers += session.scalars(
            select(ResidentNumber.number).where(
                ResidentNumber.resident_id == owner, ResidentNumber.number != number
            )
        ).all()
    return [form for n in numbers for form in spellings(n)]


def open_matter_owners(session: Session, raw: str) -> list[tuple[str, str]]:
    """``(interface, signature)`` of the officials assigned to the caller's open cases,
    most recently changed case first (agents with a softphone only)."""
    numbers = caller_numbers(session, raw)
    if not numbers:
        return []
    rows = session.execute(
        select(Agent.endpoint, Case.signature)
        .join(CaseCall, CaseCall.case_id == Case.id)
        .join(Call, Call.call_id == CaseCall.call_id)
        .join(User, User.username == Case.assigned_to)
        .join(Agent, Agent.id == User.agent_id)
        .where(Call.caller_number.in_(numbers), Case.status.in_(OPEN_STATUSES))
        .order_by(Case.updated_at.desc(), Case.id.desc())
        .limit(MAX_OWNERS * 4)
    ).all()
    out: list[tuple[str, str]] = []
    for endpoint, signature in rows:
        item = (f"PJSIP/{endpoint}", signature)
        if item not in out:
            out.append(item)
    return out[:MAX_OWNERS]


class MatterOwners:
    """``owners(caller_number)`` for the routing service, over the store."""

    def __init__(self, store: Store) -> None:
        """Read from ``store``."""
        self.store = store

    async def owners(self, caller_number: str) -> list[tuple[str, str]]:
        """The officials owning the caller's open matters (see :func:`open_matter_owners`)."""
        return await self.store.run(lambda s: open_matter_owners(s, caller_number))
