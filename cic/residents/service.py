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
from cic.residents.schemas import (
    MAX_NOTE,
    MAX_NUMBERS,
    PHONE_EXAMPLE,
    NewResident,
    NumberIn,
    ResidentChanges,
    ResidentOut,
    number_pairs,
)

#: Other contacts of a resident (contact reports, cases) by the ids of their calls, as the
#: asking user may see them: ``(call_ids, username, role) -> {"reports": [...], ...}``.
HistorySource = Callable[[list[str], str, str], Awaitable[dict[str, Any]]]
#: A resident's contacts in other channels (e-mail, web form, visits) by resident id.
ContactSource = Callable[[int], Awaitable[list[dict[str, Any]]]]


def _number(raw: object) -> str:
    number = canonical_number(raw) if isinstance(raw, str) else None
    if number is None:
        raise InvalidResident(f"Numer telefonu: {PHONE_EXAMPLE}.")
    return number


def resident_json(session: Session, row: Resident) -> ResidentOut:
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
        self.contact_sources: list[ContactSource] = []

    def add_contact_source(self, source: ContactSource) -> None:
        """Show the resident's contacts in other channels in their history and screen pop."""
        self.contact_sources.append(source)

    async def channel_contacts(self, resident_id: int) -> list[dict[str, Any]]:
        """The resident's contacts in every other channel, newest first."""
        found: list[dict[str, Any]] = []
        for source in self.contact_sources:
            found.extend(await source(resident_id))
        return sorted(found, key=lambda c: str(c.get("at") or ""), reverse=True)

    def add_history_source(self, source: HistorySource) -> None:
        """Show what ``source`` knows of a resident's calls (reports, cases) in their history."""
        self.history_sources.append(source)

    async def lookup(self, raw_number: str) -> ResidentOut | None:
        """The resident who has this number (any spelling), or ``None`` (also when withheld)."""
        number = canonical_number(raw_number)
        if number is None:
            return None

        def read(session: Session) -> ResidentOut | None:
            row = session.scalar(
                select(Resident)
                .join(ResidentNumber, ResidentNumber.resident_id == Resident.id)
                .where(ResidentNumber.number == number, Resident.merged_into.is_(None))
            )
            return resident_json(session, row) if row is not None else None

        return await self.store.run(read)

    async def search(self, query: str, limit: int = 20) -> list[ResidentOut]:
        """Residents whose name contains ``query``, or who have the number ``query``."""
        query = query.strip()
        if not query:
            return []
        number = canonical_number(query)

        def read(session: Session) -> list[ResidentOut]:
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

    async def get(self, resident_id: int) -> ResidentOut:
        """One resident with their numbers."""
        return await self.store.run(lambda s: resident_json(s, live_resident(s, resident_id)))

    async def create(self, new: NewResident, actor: str) -> ResidentOut:
        """A new resident: ``name``, optional ``note`` and ``numbers`` (text or objects)."""
        numbers = number_pairs(new.numbers)

        def write(session: Session) -> ResidentOut:
            row = Resident(name=new.name, note=new.note, updated_at=utcnow())
            session.add(row)
            session.flush()
            for number, label in numbers:
                claim_number(session, row.id, number, label)
            audit.record(session, "resident_created", actor=actor, target=str(row.id))
            session.flush()
            return resident_json(session, row)

        return await self.store.run(write)

    async def update(self, resident_id: int, body: ResidentChanges, actor: str) -> ResidentOut:
        """Change ``name`` and/or ``note``."""
        changes: dict[str, str] = {
            key: value or "" for key, value in body.given().items() if key in ("name", "note")
        }
        if not changes:
            raise InvalidResident("Nic do zmiany (name, note).")

        def write(session: Session) -> ResidentOut:
            row = live_resident(session, resident_id)
            for key, value in changes.items():
                setattr(row, key, value)
            row.updated_at = utcnow()
            audit.record(session, "resident_updated", actor=actor, target=str(row.id),
                         fields=sorted(changes))  # fmt: skip
            return resident_json(session, row)

        return await self.store.run(write)

    async def add_number(self, resident_id: int, given: NumberIn, actor: str) -> ResidentOut:
        """Give the resident another number (409 if someone else has it)."""
        number, text = given.number, given.label

        def write(session: Session) -> ResidentOut:
            row = live_resident(session, resident_id)
            claim_number(session, row.id, number, text)
            row.updated_at = utcnow()
            audit.record(session, "resident_number_added", actor=actor, target=str(row.id))
            session.flush()
            return resident_json(session, row)

        return await self.store.run(write)

    async def remove_number(self, resident_id: int, raw: object, actor: str) -> ResidentOut:
        """Take a number off the resident (404 if they do not have it)."""
        number = _number(raw)

        def write(session: Session) -> ResidentOut:
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

    async def merge(self, keep_id: int, other_id: int, actor: str) -> ResidentOut:
        """Fold duplicate ``other_id`` into ``keep_id``: its numbers and note move over, it
        points to ``keep_id`` from now on, and the merge is audited."""
        if keep_id == other_id:
            raise InvalidResident("Nie można połączyć mieszkańca z nim samym.")

        def write(session: Session) -> ResidentOut:
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
        channels = await self.channel_contacts(resident_id)
        return {**out, "contacts": contacts, "channels": channels}
