"""A caller's open matters: the open cases linked to a call from any of the caller's numbers
(every spelling, and the resident's other numbers), and the officials who own them. A
resident's open matters (for a message they wrote) also count the cases their reports joined.

Routing asks for the owners on every call (bounded by its time-out) and rings one when they
are available, before the last agent: the owner knows the case. The screen pop lists the
open matters (signature, status, unit, deadline: no title or parties).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from cic.agents.models import Agent
from cic.auth.models import User
from cic.calls.models import Call
from cic.cases.models import CASE_STATUSES, Case, CaseCall, ContactReport
from cic.cases.owner_index import MAX_OWNERS, OwnerIndex
from cic.cases.records import OPEN_STATUSES
from cic.db import Store
from cic.residents.models import ResidentNumber
from cic.residents.numbers import canonical_number, spellings


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


def open_matters(session: Session, raw: str, limit: int = 5) -> list[dict[str, Any]]:
    """The caller's open cases, most recently changed first, as the screen pop shows them."""
    numbers = caller_numbers(session, raw)
    if not numbers:
        return []
    return _matters(session, _called_from(numbers), limit)


def resident_open_matters(
    session: Session, resident_id: int, limit: int = 5
) -> list[dict[str, Any]]:
    """The resident's open cases (linked to a call from any of their numbers, or joined by
    any of their reports), most recently changed first, in the screen pop's form."""
    numbers = [
        form
        for n in session.scalars(
            select(ResidentNumber.number).where(ResidentNumber.resident_id == resident_id)
        )
        for form in spellings(n)
    ]
    joined = select(ContactReport.case_id).where(
        ContactReport.resident_id == resident_id, ContactReport.case_id.is_not(None)
    )
    linked = Case.id.in_(joined)
    return _matters(session, or_(linked, _called_from(numbers)) if numbers else linked, limit)


def _called_from(numbers: list[str]) -> ColumnElement[bool]:
    """Cases linked to a call from one of ``numbers``."""
    return Case.id.in_(
        select(CaseCall.case_id)
        .join(Call, Call.call_id == CaseCall.call_id)
        .where(Call.caller_number.in_(numbers))
    )


def _matters(session: Session, which: ColumnElement[bool], limit: int) -> list[dict[str, Any]]:
    cases = session.scalars(
        select(Case)
        .where(which, Case.status.in_(OPEN_STATUSES))
        .order_by(Case.updated_at.desc(), Case.id.desc())
        .limit(limit)
    ).all()
    return [
        {
            "signature": c.signature,
            "status": c.status,
            "status_label": CASE_STATUSES[c.status],
            "unit": c.unit,
            "deadline": c.deadline.isoformat() if c.deadline else None,
        }
        for c in cases
    ]


class MatterOwners:
    """``owners(caller_number)`` for the routing service: from the in-memory index once it is
    loaded (see ``cic.cases.owner_index``), from the store before that."""

    def __init__(self, store: Store, index: OwnerIndex | None = None) -> None:
        """Read from ``store``, or from ``index`` when it has a snapshot."""
        self.store = store
        self.index = index

    async def owners(self, caller_number: str) -> list[tuple[str, str]]:
        """The officials owning the caller's open matters (see :func:`open_matter_owners`)."""
        if self.index is not None and self.index.loaded:
            return self.index.owners(caller_number)
        return await self.store.run(lambda s: open_matter_owners(s, caller_number))

    async def open(self, caller_number: str) -> list[dict[str, Any]]:
        """The caller's open cases (see :func:`open_matters`)."""
        return await self.store.run(lambda s: open_matters(s, caller_number))
