"""Changes to a registered case (PATCH): validated, applied, each one noted in the metryka."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from cic.cases import records, validation
from cic.cases.deadlines import DEADLINE_KINDS, due_date
from cic.cases.errors import CaseConflict, InvalidValue
from cic.cases.models import CASE_STATUSES, Case, CaseParty


@dataclass
class CaseChange:
    """A validated PATCH of a case (``None``: leave as is)."""

    title: str | None = None
    status: str | None = None
    assigned_to: str | None = None
    deadline_kind: str | None = None
    deadline: date | None = None
    reason: str = ""
    parties: list[dict[str, str]] | None = None


def parse_change(body: dict[str, Any]) -> CaseChange:
    """Validate a PATCH body."""
    known = {"title", "status", "assigned_to", "deadline_kind", "deadline", "reason", "parties"}
    unknown = set(body) - known
    if unknown:
        raise InvalidValue(f"Nieznane pola: {', '.join(sorted(unknown))}.")
    change = CaseChange(
        title=validation.text(body, "title", 500, required=True) if "title" in body else None,
        status=validation.one_of(body["status"], CASE_STATUSES, "Status sprawy")
        if "status" in body else None,
        assigned_to=validation.text(body, "assigned_to", 64) if "assigned_to" in body else None,
        deadline_kind=validation.one_of(body["deadline_kind"], DEADLINE_KINDS, "Rodzaj terminu")
        if "deadline_kind" in body else None,
        deadline=validation.a_date(body, "deadline", "Nowy termin"),
        reason=validation.text(body, "reason", 2000, multiline=True),
        parties=validation.parties(body["parties"]) if "parties" in body else None,
    )  # fmt: skip
    if change.deadline is not None and not change.reason.strip():
        raise InvalidValue(
            "Zmieniając termin, podaj uzasadnienie (reason), np. zawiadomienie z art. 36 KPA."
        )
    return change


def apply(session: Session, case: Case, change: CaseChange, actor: str, today: date) -> None:
    """Apply ``change`` to ``case``, each effective change noted in the metryka."""
    if case.status == "zakonczona" and change.status in (None, "zakonczona"):
        if any(v is not None for v in (change.title, change.assigned_to, change.deadline_kind,
                                       change.deadline, change.parties)):  # fmt: skip
            raise CaseConflict("Sprawa jest zakończona; nie można jej już zmieniać.")
    if change.title is not None and change.title != case.title:
        case.title = change.title
        records.note(session, case, actor, "tytul", f"Zmieniono tytuł sprawy: {change.title}")
    if change.assigned_to is not None and change.assigned_to != case.assigned_to:
        case.assigned_to = change.assigned_to
        who = change.assigned_to or "nikt"
        records.note(session, case, actor, "przydzielenie", f"Przydzielono: {who}.")
    if change.parties is not None:
        session.execute(delete(CaseParty).where(CaseParty.case_id == case.id))
        for party in change.parties:
            session.add(CaseParty(case_id=case.id, **party))
        names = ", ".join(p["name"] for p in change.parties) or "brak"
        records.note(session, case, actor, "strony", f"Zmieniono strony sprawy: {names}.")
    if change.deadline_kind is not None and change.deadline_kind != case.deadline_kind:
        case.deadline_kind = change.deadline_kind
        case.deadline = due_date(change.deadline_kind, case.started_on)
        records.note(
            session, case, actor, "termin",
            f"Rodzaj terminu: {DEADLINE_KINDS[change.deadline_kind]}; termin {case.deadline}.",
        )  # fmt: skip
    if change.deadline is not None:
        case.deadline = change.deadline
        records.note(
            session, case, actor, "termin", f"Nowy termin {change.deadline}: {change.reason}"
        )
    if change.status is not None:
        records.set_status(session, case, change.status, actor, today)
