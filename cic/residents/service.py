"""Residents: caller-ID lookup, several numbers each, contact history, merging duplicates.

Names and numbers are personal data: they are never logged; changes and merges are written
to the audit log (who, which resident, when), without the numbers themselves.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from cic.auth import audit
from cic.calls.history import calls_from
from cic.db import Store, utcnow
from cic.residents.errors import InvalidResident, NumberTaken, ResidentNotFound
from cic.residents.models import Resident, ResidentNumber
from cic.residents.numbers import canonical_number, spellings

MAX_NAME = 200
MAX_NOTE = 4000
MAX_LABEL = 60
MAX_NUMBERS = 10
#: Other contacts of a resident (contact reports, cases) by the ids of their calls, as the
#: asking user may see them: ``(call_ids, username, role) -> {"reports": [...], ...}``.
HistorySource = Callable[[list[str], str, str], Awaitable[dict[str, Any]]]


def _text(value: object, field: str, limit: int, *, required: bool = True) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise InvalidResident(f"{field}: pole wymagane (tekst).")
    value = value.strip()
    if len(value) > limit:
        raise InvalidResident(f"{field}: najwyżej {limit} znaków (jest {len(value)}).")
    return value


def clean_name(value: object) -> str:
    """A resident's name, trimmed; ``InvalidResident`` (Polish) when empty or too long."""
    return _text(value, "Imię i nazwisko", MAX_NAME)


def clean_note(value: object) -> str:
    """A resident's note, trimmed (may be empty)."""
    return _text(value, "Notatka", MAX_NOTE, required=False)


def parse_numbers(raw: object) -> list[tuple[str, str]]:
    """A list of numbers (text, or objects with ``number`` and ``label``) as canonical
    ``(number, label)`` pairs without repeats; ``InvalidResident`` for anything else."""
    if not isinstance(raw, list) or len(raw) > MAX_NUMBERS:
        raise InvalidResident(f"Numery: lista (najwyżej {MAX_NUMBERS}).")
    out: dict[str, str] = {}
    for item in raw:
        if isinstance(item, dict):
            out[_number(item.get("number"))] = _text(
                item.get("label"), "Opis numeru", MAX_LABEL, required=False
            )
        else:
            out[_number(item)] = ""
    return list(out.items())


def _number(raw: object) -> str:
    number = canonical_number(raw) if isinstance(raw, str) else None
    if number is None:
        raise InvalidResident("Numer telefonu: np. +48 600 100 200 albo 600100200.")
    return number


def resident_json(session: Session, row: Resident) -> dict[str, Any]:
    """The resident with their numbers, as JSON."""
    numbers = session.scalars(
        select(ResidentNumber)
        .where(ResidentNumber.resident_id == row.id)
        .order_by(ResidentNumber.id)
    )
    return {
        "id": row.id,
        "name": row.name,
        "note": row.note,
        "numbers": [{"number": n.number, "label": n.label} for n in numbers],
        "created_at": row.created_at.isoformat() if row.created_at else None,
        "updated_at": row.updated_at.isoformat() if row.updated_at else None,
    }


def live_resident(session: Session, resident_id: int) -> Resident:
    """The resident (not a merged duplicate) or ``ResidentNotFound``."""
    row = session.get(Resident, resident_id)
    if row is None or row.merged_into is not None:
        raise ResidentNotFound()
    return row


def claim_number(session: Session, resident_id: int, number: str, label: str) -> None:
    """Give the resident ``number`` (canonical) or relabel it; ``NumberTaken`` if it is
    someone else's, ``InvalidResident`` past ``MAX_NUMBERS``."""
    owner = session.scalar(select(ResidentNumber).where(ResidentNumber.number == number))
    if owner is not None and owner.resident_id != resident_id:
        raise NumberTaken(f"Numer {number} ma już inny mieszkaniec (nr {owner.resident_id}).")
    if owner is None:
        full = session.scalar(
            select(ResidentNumber.id)
            .where(ResidentNumber.resident_id == resident_id)
            .offset(MAX_NUMBERS - 1)
            .limit(1)
        )
        if full is not None:
            raise InvalidResident(f"Najwyżej {MAX_NUMBERS} numerów jednego mieszkańca.")
        session.add(ResidentNumber(resident_id=resident_id, number=number, label=label))
    else:
        owner.label = label


class ResidentService:
    """Residents over the store; ``history_sources`` add contact reports and cases."""

    def __init__(self, store: Store, history_sources: list[HistorySource] | None = None) -> None:
        """Other domains add theirs with :meth:`add_history_source`."""
        self.store = store
        self.history_sources = list(history_sources or [])

    def add_history_source(self, source: HistorySource) -> None:
        """Show what ``source`` knows of a resident's calls (reports, cases) in their history."""
        self.history_sources.append(source)

    async def lookup(self, raw_number: str) -> dict[str, Any] | None:
        """The resident who has this number (any spelling), or ``None`` (also when withheld)."""
        number = canonical_number(raw_number)
        if number is None:
            return None

        def read(session: Session) -> dict[str, Any] | None:
            row = session.scalar(
                select(Resident)
                .join(ResidentNumber, ResidentNumber.resident_id == Resident.id)
                .where(ResidentNumber.number == number, Resident.merged_into.is_(None))
            )
            return resident_json(session, row) if row is not None else None

        return await self.store.run(read)

    async def search(self, query: str, limit: int = 20) -> list[dict[str, Any]]:
        """Residents whose name contains ``query``, or who have the number ``query``."""
        query = query.strip()
        if not query:
            return []
        number = canonical_number(query)

        def read(session: Session) -> list[dict[str, Any]]:
            escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            by_number = select(ResidentNumber.resident_id).where(ResidentNumber.number == number)
            rows = session.scalars(
                select(Resident)
                .where(Resident.merged_into.is_(None))
                .where(
                    or_(
                        Resident.name.ilike(f"%{escaped}%", escape="\\"),
                        Resident.id.in_(by_number),
                    )
                )
                .order_by(Resident.name, Resident.id)
                .limit(limit)
            )
            return [resident_json(session, r) for r in rows]

        return await self.store.run(read)

    async def get(self, resident_id: int) -> dict[str, Any]:
        """One resident with their numbers."""
        return await self.store.run(lambda s: resident_json(s, live_resident(s, resident_id)))

    async def create(self, body: dict[str, Any], actor: str) -> dict[str, Any]:
        """A new resident: ``name``, optional ``note`` and ``numbers`` (text or objects)."""
        name = clean_name(body.get("name"))
        note = clean_note(body.get("note"))
        numbers = parse_numbers(body.get("numbers", []))

        def write(session: Session) -> dict[str, Any]:
            row = Resident(name=name, note=note, updated_at=utcnow())
            session.add(row)
            session.flush()
            for number, label in numbers:
                claim_number(session, row.id, number, label)
            audit.record(session, "resident_created", actor=actor, target=str(row.id))
            session.flush()
            return resident_json(session, row)

        return await self.store.run(write)

    async def update(self, resident_id: int, body: dict[str, Any], actor: str) -> dict[str, Any]:
        """Change ``name`` and/or ``note``."""
        changes: dict[str, str] = {}
        if "name" in body:
            changes["name"] = clean_name(body["name"])
        if "note" in body:
            changes["note"] = clean_note(body["note"])
        if not changes:
            raise InvalidResident("Nic do zmiany (name, note).")

        def write(session: Session) -> dict[str, Any]:
            row = live_resident(session, resident_id)
            for key, value in changes.items():
                setattr(row, key, value)
            row.updated_at = utcnow()
            audit.record(session, "resident_updated", actor=actor, target=str(row.id),
                         fields=sorted(changes))  # fmt: skip
            return resident_json(session, row)

        return await self.store.run(write)

    async def add_number(
        self, resident_id: int, raw: object, label: object, actor: str
    ) -> dict[str, Any]:
        """Give the resident another number (409 if someone else has it)."""
        number = _number(raw)
        text = _text(label, "Opis numeru", MAX_LABEL, required=False)

        def write(session: Session) -> dict[str, Any]:
            row = live_resident(session, resident_id)
            claim_number(session, row.id, number, text)
            row.updated_at = utcnow()
            audit.record(session, "resident_number_added", actor=actor, target=str(row.id))
            session.flush()
            return resident_json(session, row)

        return await self.store.run(write)

    async def remove_number(self, resident_id: int, raw: object, actor: str) -> dict[str, Any]:
        """Take a number off the resident (404 if they do not have it)."""
        number = _number(raw)

        def write(session: Session) -> dict[str, Any]:
            row = live_resident(session, resident_id)
            owned = session.scalar(
                select(ResidentNumber).where(
                    ResidentNumber.number == number, ResidentNumber.resident_id == row.id
                )
            )
            if owned is None:
                raise ResidentNotFound("Ten mieszkaniec nie ma takiego numeru.")
            session.delete(owned)
            row.updated_at = utcnow()
            audit.record(session, "resident_number_removed", actor=actor, target=str(row.id))
            session.flush()
            return resident_json(session, row)

        return await self.store.run(write)

    async def merge(self, keep_id: int, other_id: int, actor: str) -> dict[str, Any]:
        """Fold duplicate ``other_id`` into ``keep_id``: its numbers and note move over, it
        points to ``keep_id`` from now on, and the merge is audited."""
        if keep_id == other_id:
            raise InvalidResident("Nie można połączyć mieszkańca z nim samym.")

        def write(session: Session) -> dict[str, Any]:
            keep, other = live_resident(session, keep_id), live_resident(session, other_id)
            moved = session.scalars(
                select(ResidentNumber).where(ResidentNumber.resident_id == other.id)
            ).all()
            for number in moved:
                number.resident_id = keep.id
            if other.note:
                keep.note = (keep.note + "\n" + other.note).strip()[:MAX_NOTE]
            other.merged_into, other.updated_at = keep.id, utcnow()
            keep.updated_at = utcnow()
            audit.record(session, "residents_merged", actor=actor, target=str(keep.id),
                         merged=other.id, numbers_moved=len(moved))  # fmt: skip
            session.flush()
            return resident_json(session, keep)

        return await self.store.run(write)

    async def history(
        self, resident_id: int, limit: int = 50, *, username: str = "", role: str = ""
    ) -> dict[str, Any]:
        """The resident's calls from every number (newest first, with wrap-ups) and, under
        ``contacts``, what the history sources know of those calls for this user."""

        def read(session: Session) -> dict[str, Any]:
            resident = resident_json(session, live_resident(session, resident_id))
            forms = [f for n in resident["numbers"] for f in spellings(n["number"])]
            return {"resident": resident, "calls": calls_from(session, forms, limit=limit)}

        out = await self.store.run(read)
        call_ids = [c["call_id"] for c in out["calls"]]
        contacts: dict[str, Any] = {}
        for source in self.history_sources:
            contacts.update(await source(call_ids, username, role))
        return {**out, "contacts": contacts}
