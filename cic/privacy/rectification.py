"""Rectification (art. 16 RODO): the resident's record and their entries as a case party.

What is corrected, in one transaction:

- the resident's name and note, and the whole list of their numbers (a number that was never
  theirs is taken off: its calls stop being attributed to them);
- their own entries among a case's parties (name, contact), each change noted in the case's
  metryka; a closed case's file is not changed (``RectificationRefused``: the correction goes
  into the file as a document instead).

What is not: the caller name and number on call records (what the telephone network presented,
a record of the call as it happened), transcripts (an automatic record of what was said) and
the agents' notes (their account of the call); a correction of those is a note added to the
resident's record or the case.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from cic.cases import records
from cic.cases.models import Case, CaseParty
from cic.db import utcnow
from cic.privacy.errors import NotTheirs, RectificationRefused
from cic.privacy.schemas import Changed, Rectification
from cic.privacy.scope import Scope
from cic.residents.models import ResidentNumber
from cic.residents.schemas import number_pairs
from cic.residents.service import claim_number, live_resident

CLOSED = "zakonczona"
METRYKA_NOTE = "Sprostowano dane strony na żądanie osoby, której dotyczą (art. 16 RODO)."


@dataclass
class Correction:
    """A validated rectification request."""

    name: str | None = None
    note: str | None = None
    numbers: list[tuple[str, str]] | None = None
    parties: dict[int, dict[str, str]] = field(default_factory=dict)

    def fields(self) -> list[str]:
        """Which parts are corrected (for the audit log)."""
        out = [k for k in ("name", "note", "numbers") if getattr(self, k) is not None]
        return out + (["parties"] if self.parties else [])


def parse(body: Rectification) -> Correction:
    """The correction a validated request asks for."""
    parties = {party.id: _given(party.name, party.contact) for party in body.parties}
    numbers = number_pairs(body.numbers) if body.numbers is not None else None
    return Correction(name=body.name, note=body.note, numbers=numbers, parties=parties)


def _given(name: str | None, contact: str | None) -> dict[str, str]:
    fields = {"name": name, "contact": contact}
    return {key: value for key, value in fields.items() if value is not None}


def apply(session: Session, scope: Scope, correction: Correction, actor: str) -> Changed:
    """Correct the records; returns what changed (counts and fields, no values)."""
    resident = live_resident(session, scope.subject.resident_id)
    mine = {pid for ids in scope.parties.values() for pid in ids}
    parties = _parties(session, correction, mine)
    if correction.name is not None:
        resident.name = correction.name
    if correction.note is not None:
        resident.note = correction.note
    added = removed = 0
    if correction.numbers is not None:
        added, removed = _numbers(session, resident.id, correction.numbers)
    for party, case in parties:
        for key, value in correction.parties[party.id].items():
            setattr(party, key, value)
        records.note(session, case, actor, "sprostowanie", METRYKA_NOTE)
        case.updated_at = utcnow()
    resident.updated_at = utcnow()
    session.flush()
    return {"fields": correction.fields(), "numbers_added": added, "numbers_removed": removed,
            "parties": len(parties)}  # fmt: skip


def _parties(
    session: Session, correction: Correction, mine: set[int]
) -> list[tuple[CaseParty, Case]]:
    out = []
    for party_id in sorted(correction.parties):
        party = session.get(CaseParty, party_id) if party_id in mine else None
        if party is None:
            raise NotTheirs(f"Wpis strony nr {party_id} nie zawiera danych tej osoby.")
        case = session.get(Case, party.case_id)
        assert case is not None
        if case.status == CLOSED:
            raise RectificationRefused(
                f"Sprawa {case.signature} jest zakończona: jej akt się nie zmienia. Sprostowanie"
                f" dołącz do akt jako dokument (POST /api/sprawy/{case.signature}/dokumenty)."
            )
        out.append((party, case))
    return out


def _numbers(session: Session, resident_id: int, wanted: list[tuple[str, str]]) -> tuple[int, int]:
    current = {
        n.number: n
        for n in session.scalars(
            select(ResidentNumber).where(ResidentNumber.resident_id == resident_id)
        )
    }
    keep = dict(wanted)
    removed = [row for number, row in current.items() if number not in keep]
    for row in removed:
        session.delete(row)
    session.flush()
    for number, label in wanted:
        claim_number(session, resident_id, number, label)
    return len(set(keep) - set(current)), len(removed)
