"""Case records inside one transaction: register, change, link calls, metryka, lists.

Plain functions on a ``Session`` (run by ``Store.run``); they return JSON-ready dicts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from cic.cases.deadlines import ART_36_REMINDER, DEADLINE_KINDS, deadline_state, next_working_day
from cic.cases.errors import CaseConflict, CaseNotFound
from cic.cases.models import (
    CASE_STATUSES,
    Case,
    CaseAction,
    CaseCall,
    CaseParty,
    ContactReport,
)
from cic.cases.numbering import next_number
from cic.cases.schemas import CaseOut, CaseSummary, MetrykaEntry
from cic.cases.signatures import format_signature
from cic.db import utcnow

OPEN_STATUSES = ("wszczeta", "w_toku")


@dataclass
class NewCase:
    """What registration needs (validated by the service)."""

    unit: str
    jrwa: str
    title: str
    started_on: date
    deadline_kind: str
    deadline: date | None
    pin_hash: str
    registered_by: str
    assigned_to: str = ""
    parties: list[dict[str, str]] = field(default_factory=list)
    call_ids: list[str] = field(default_factory=list)


def note(
    session: Session, case: Case, actor: str, action: str, description: str, document: str = ""
) -> None:
    """Append one line to the case's metryka."""
    session.add(
        CaseAction(
            case_id=case.id, actor=actor, action=action, description=description,
            document_id=document, at=utcnow(),
        )
    )  # fmt: skip


def register(session: Session, new: NewCase) -> Case:
    """Number and insert a case; the counter is the transaction's first write."""
    year = new.started_on.year
    number = next_number(session, new.unit, new.jrwa, year)
    now = utcnow()
    case = Case(
        signature=format_signature(new.unit, new.jrwa, number, year),
        unit=new.unit, jrwa=new.jrwa, year=year, number=number, title=new.title,
        status="wszczeta", assigned_to=new.assigned_to, started_on=new.started_on,
        deadline_kind=new.deadline_kind, deadline=new.deadline, pin_hash=new.pin_hash,
        registered_by=new.registered_by, created_at=now, updated_at=now,
    )  # fmt: skip
    session.add(case)
    session.flush()
    for party in new.parties:
        session.add(CaseParty(case_id=case.id, **party))
    note(
        session, case, new.registered_by, "rejestracja", f"Zarejestrowano sprawę {case.signature}."
    )
    if new.assigned_to:
        note(session, case, new.registered_by, "przydzielenie", f"Przydzielono: {new.assigned_to}.")
    for call_id in new.call_ids:
        link_call(session, case, call_id, new.registered_by)
    return case


def by_signature(session: Session, signature: str) -> Case:
    """The case with ``signature`` or ``CaseNotFound``."""
    case = session.scalars(select(Case).where(Case.signature == signature)).one_or_none()
    if case is None:
        raise CaseNotFound(f"Nie znaleziono sprawy „{signature}”.")
    return case


def link_call(session: Session, case: Case, call_id: str, actor: str, via: str = "") -> bool:
    """Link a call to the case (once) and note it in the metryka; False if already linked."""
    exists = session.scalars(
        select(CaseCall.id).where(CaseCall.case_id == case.id, CaseCall.call_id == call_id)
    ).first()
    if exists is not None:
        return False
    session.add(CaseCall(case_id=case.id, call_id=call_id, linked_by=actor, linked_at=utcnow()))
    where = f" (przez zgłoszenie nr {via})" if via else ""
    note(session, case, actor, "rozmowa", f"Połączono rozmowę {call_id}{where}.", call_id)
    case.updated_at = utcnow()
    return True


def set_status(session: Session, case: Case, status: str, actor: str, today: date) -> None:
    """Change the status (a closed case stays closed) and note it."""
    if case.status == status:
        return
    if case.status == "zakonczona":
        raise CaseConflict("Sprawa jest zakończona; jej status nie może się już zmienić.")
    before, was_suspended = CASE_STATUSES[case.status], case.suspended_on
    case.status = status
    case.closed_on = today if status == "zakonczona" else None
    case.suspended_on = today if status == "zawieszona" else None
    text = f"Zmiana statusu: {before} → {CASE_STATUSES[status]}."
    note(session, case, actor, "status", text)
    if was_suspended is not None and case.deadline is not None and status in OPEN_STATUSES:
        days = max(0, (today - was_suspended).days)
        case.deadline = next_working_day(case.deadline + timedelta(days=days))
        note(
            session, case, actor, "termin",
            f"Okres zawieszenia ({days} dni) nie wlicza się do terminu (art. 35 § 5 KPA);"
            f" nowy termin {case.deadline.isoformat()}.",
        )  # fmt: skip


def is_readable_by_agent(session: Session, case: Case, username: str) -> bool:
    """True when a contact report of ``username`` (created or owned) is linked to the case."""
    found = session.scalars(
        select(ContactReport.id).where(
            ContactReport.case_id == case.id,
            (ContactReport.created_by == username) | (ContactReport.owner == username),
        )
    ).first()
    return found is not None


def to_json(session: Session, case: Case, today: date, soon_days: int = 7) -> CaseOut:
    """The case as JSON, with parties, linked calls and reports and the deadline's state."""
    parties = session.scalars(
        select(CaseParty).where(CaseParty.case_id == case.id).order_by(CaseParty.id)
    ).all()
    calls = session.scalars(
        select(CaseCall.call_id).where(CaseCall.case_id == case.id).order_by(CaseCall.id)
    ).all()
    reports = session.scalars(
        select(ContactReport.id).where(ContactReport.case_id == case.id).order_by(ContactReport.id)
    ).all()
    return {
        **summary(case, today, soon_days),
        "parties": [{"name": p.name, "role": p.role, "contact": p.contact} for p in parties],
        "calls": list(calls),
        "reports": list(reports),
        "registered_by": case.registered_by,
        "created_at": case.created_at.isoformat(),
        "updated_at": case.updated_at.isoformat(),
    }


def summary(case: Case, today: date, soon_days: int = 7) -> CaseSummary:
    """The case's main fields and the deadline's state (overdue, due soon, art. 36 reminder)."""
    running = case.status in OPEN_STATUSES
    state = deadline_state(case.deadline if running else None, today, soon_days)
    return {
        "signature": case.signature,
        "unit": case.unit,
        "jrwa": case.jrwa,
        "number": case.number,
        "year": case.year,
        "title": case.title,
        "status": case.status,
        "status_label": CASE_STATUSES[case.status],
        "assigned_to": case.assigned_to,
        "started_on": case.started_on.isoformat(),
        "closed_on": None if case.closed_on is None else case.closed_on.isoformat(),
        "suspended_on": None if case.suspended_on is None else case.suspended_on.isoformat(),
        "deadline_kind": case.deadline_kind,
        "deadline_kind_label": DEADLINE_KINDS[case.deadline_kind],
        "deadline": None if case.deadline is None else case.deadline.isoformat(),
        "overdue": state.overdue,
        "due_soon": state.due_soon,
        "days_left": state.days_left,
        "reminder": ART_36_REMINDER if state.overdue else None,
    }


def metryka(session: Session, case: Case) -> list[MetrykaEntry]:
    """Every action on the case, oldest first."""
    rows = session.scalars(
        select(CaseAction).where(CaseAction.case_id == case.id).order_by(CaseAction.id)
    ).all()
    return [
        {
            "at": a.at.isoformat(),
            "actor": a.actor,
            "action": a.action,
            "description": a.description,
            "document_id": a.document_id,
        }
        for a in rows
    ]
