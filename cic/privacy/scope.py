"""What belongs to one resident: their numbers, their calls, the contact reports and cases
linked to them, and their own entries among a case's parties.

One place decides this for the export, rectification and erasure alike:

- calls: every call whose caller number is one of the resident's numbers, in any spelling
  (withheld numbers cannot be told apart and are never theirs);
- reports: those linked to one of their calls;
- cases: those linked to one of their calls (directly or through a report), or where a party's
  contact is one of their numbers;
- their party entries: a party whose contact is one of their numbers, or, when the contact is
  not a phone number, whose name is exactly the resident's name in a case linked to them.

Anything else (other parties, other callers' calls in a report) is someone else's data.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from cic.calls.models import Call
from cic.cases.models import Case, CaseCall, CaseParty, ContactReport, ContactReportCall
from cic.residents.models import Resident, ResidentNumber
from cic.residents.numbers import canonical_number, spellings
from cic.residents.service import live_resident

T = TypeVar("T")
CHUNK = 500  # ids per IN (...) list


@dataclass(frozen=True)
class Subject:
    """The resident a request is about: id, name, canonical numbers and merged duplicates."""

    resident_id: int
    name: str
    numbers: tuple[str, ...]
    merged: tuple[int, ...] = ()

    @property
    def spellings(self) -> list[str]:
        """Every form a call from one of the numbers may carry."""
        return [form for number in self.numbers for form in spellings(number)]

    def owns_contact(self, contact: str) -> bool:
        """True when ``contact`` is one of the resident's numbers (any spelling)."""
        return canonical_number(contact) in self.numbers


@dataclass
class Scope:
    """The resident's records: call ids (oldest first), reports and cases with why they are
    linked, and their own party entries per case id."""

    subject: Subject
    calls: list[str]
    reports: list[int]
    cases: dict[int, set[str]] = field(default_factory=dict)
    parties: dict[int, list[int]] = field(default_factory=dict)


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterable[list[T]]:
    """``items`` in lists of at most ``size`` (for ``IN (...)`` lists)."""
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def same_name(left: str, right: str) -> bool:
    """Names equal but for case and spacing."""
    return " ".join(left.split()).casefold() == " ".join(right.split()).casefold()


def load_subject(session: Session, resident_id: int) -> Subject:
    """The live resident with their numbers and merged duplicates (``ResidentNotFound``)."""
    row = live_resident(session, resident_id)
    numbers = session.scalars(
        select(ResidentNumber.number)
        .where(ResidentNumber.resident_id == row.id)
        .order_by(ResidentNumber.id)
    ).all()
    return Subject(row.id, row.name, tuple(numbers), merged_ids(session, row.id))


def merged_ids(session: Session, resident_id: int) -> tuple[int, ...]:
    """Ids of every duplicate merged (directly or through another) into ``resident_id``."""
    found: list[int] = []
    frontier = [resident_id]
    while frontier:
        rows = session.scalars(
            select(Resident.id).where(Resident.merged_into.in_(frontier)).order_by(Resident.id)
        ).all()
        frontier = [r for r in rows if r not in found and r != resident_id]
        found.extend(frontier)
    return tuple(found)


def call_ids(session: Session, subject: Subject) -> list[str]:
    """The resident's calls, oldest first."""
    forms = subject.spellings
    if not forms:
        return []
    return list(
        session.scalars(select(Call.call_id).where(Call.caller_number.in_(forms)).order_by(Call.id))
    )


def _digits(column: object) -> object:
    stripped = column
    for char in (" ", "-", "(", ")", "."):
        stripped = func.replace(stripped, char, "")
    return stripped


def parties_with_numbers(session: Session, subject: Subject) -> list[CaseParty]:
    """Party entries whose contact is one of the resident's numbers."""
    if not subject.numbers:
        return []
    national = [n[3:] if n.startswith("+48") else n.lstrip("+") for n in subject.numbers]
    digits = _digits(CaseParty.contact)
    like = [digits.like(f"%{n}%") for n in national]  # type: ignore[attr-defined]
    rows = session.scalars(select(CaseParty).where(or_(*like)).order_by(CaseParty.id)).all()
    return [p for p in rows if subject.owns_contact(p.contact)]


def collect(session: Session, subject: Subject) -> Scope:
    """Everything linked to ``subject`` (ids only; the callers read the rows they need)."""
    calls = call_ids(session, subject)
    scope = Scope(subject, calls, [])
    reports: dict[int, int | None] = {}
    for part in chunks(calls):
        for report_id, case_id in session.execute(
            select(ContactReport.id, ContactReport.case_id)
            .join(ContactReportCall, ContactReportCall.report_id == ContactReport.id)
            .where(ContactReportCall.call_id.in_(part))
        ):
            reports[report_id] = case_id
        for case_id in session.scalars(select(CaseCall.case_id).where(CaseCall.call_id.in_(part))):
            scope.cases.setdefault(case_id, set()).add("rozmowa")
    scope.reports = sorted(reports)
    for case_id in reports.values():
        if case_id is not None:
            scope.cases.setdefault(case_id, set()).add("zgłoszenie")
    for party in parties_with_numbers(session, subject):
        scope.cases.setdefault(party.case_id, set()).add("strona")
        scope.parties.setdefault(party.case_id, []).append(party.id)
    _parties_by_name(session, scope)
    return scope


def _parties_by_name(session: Session, scope: Scope) -> None:
    """Add party entries without a phone contact that carry the resident's exact name."""
    for part in chunks(sorted(scope.cases)):
        rows = session.scalars(select(CaseParty).where(CaseParty.case_id.in_(part))).all()
        for party in rows:
            if canonical_number(party.contact) is None and same_name(
                party.name, scope.subject.name
            ):
                mine = scope.parties.setdefault(party.case_id, [])
                if party.id not in mine:
                    mine.append(party.id)
    for ids in scope.parties.values():
        ids.sort()


def cases_in_order(session: Session, case_ids: Iterable[int]) -> list[Case]:
    """The cases, oldest first."""
    ids = sorted(case_ids)
    out: list[Case] = []
    for part in chunks(ids):
        out += session.scalars(select(Case).where(Case.id.in_(part)).order_by(Case.id)).all()
    return out
