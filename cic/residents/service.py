"""Residents: caller-ID lookup, several numbers and e-mail addresses each, a PESEL kept only
as a keyed digest, contact history, merging duplicates.

Names, numbers and addresses are personal data: they are never logged; changes and merges are
written to the audit log (who, which resident, when), without the values themselves. A PESEL
is never stored, logged or returned (see :mod:`cic.residents.pesel`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, false, or_, select
from sqlalchemy.orm import Session

from cic.auth import audit
from cic.calls.history import calls_from
from cic.db import Store, utcnow
from cic.residents import records
from cic.residents.emails import EMAIL_EXAMPLE, canonical_address
from cic.residents.errors import InvalidResident, PeselConflict, ResidentNotFound
from cic.residents.models import Resident, ResidentEmail, ResidentNumber
from cic.residents.numbers import canonical_number, spellings
from cic.residents.pesel import InvalidPesel, looks_like_pesel, parse_pesel
from cic.residents.records import claim_number, live_resident, resident_json
from cic.residents.schemas import (
    MAX_NOTE,
    PHONE_EXAMPLE,
    NewResident,
    NumberIn,
    ResidentChanges,
    ResidentOut,
)

__all__ = ["HistorySource", "ResidentService", "claim_number", "live_resident", "resident_json"]
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


def _address(raw: object) -> str:
    address = canonical_address(raw)
    if address is None:
        raise InvalidResident(f"Adres e-mail: {EMAIL_EXAMPLE}.")
    return address


def _pesel(raw: object, today: date | None = None) -> str:
    try:
        return parse_pesel(raw, today)
    except InvalidPesel as exc:
        raise InvalidResident(f"PESEL: {exc}.") from None


class ResidentService:
    """Residents over the store; ``history_sources`` add contact reports and cases;
    ``pesel_key`` is the key of the PESEL digests (without it, PESEL is refused)."""

    def __init__(
        self,
        store: Store,
        history_sources: list[HistorySource] | None = None,
        *,
        pesel_key: bytes | None = None,
        today: Callable[[], date] = date.today,
    ) -> None:
        """Other domains add history sources with :meth:`add_history_source`."""
        self.store = store
        self.history_sources = list(history_sources or [])
        self.pesel_key = pesel_key
        self.today = today
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

    def digest(self, raw_pesel: object) -> str:
        """The register's digest of a PESEL as typed (``InvalidResident`` if it is not one)."""
        return records.digest_of(_pesel(raw_pesel, self.today()), self.pesel_key)

    async def lookup(self, raw_number: str) -> ResidentOut | None:
        """The resident who has this number (any spelling), or ``None`` (also when withheld)."""
        number = canonical_number(raw_number)
        if number is None:
            return None
        return await self._found(lambda s: records.by_number(s, number))

    async def lookup_email(self, raw_address: str) -> ResidentOut | None:
        """The resident who has this e-mail address (any letter case), or ``None``."""
        address = canonical_address(raw_address)
        if address is None:
            return None
        return await self._found(lambda s: records.by_address(s, address))

    async def find_by_pesel(self, raw_pesel: object) -> ResidentOut | None:
        """The resident with this PESEL, or ``None`` (``InvalidResident`` if it is not one)."""
        digest = self.digest(raw_pesel)
        return await self._found(lambda s: records.by_digest(s, digest))

    async def search(
        self, query: str, limit: int = 20, *, pesel: bool = False
    ) -> list[ResidentOut]:
        """Residents whose name contains ``query``, who have the number or the e-mail address
        ``query`` (a part of an address when it has an ``@``), or - with ``pesel`` (only for
        queries that came in a request body) - whose PESEL it is. A query of 11 digits that is
        neither a PESEL nor a phone number is refused (``InvalidResident``, without it)."""
        query = query.strip()
        if not query:
            return []
        number = canonical_number(query)
        digest = None
        if pesel and looks_like_pesel(query):
            try:
                digest = self.digest(query)
            except InvalidResident:
                if number is None:
                    raise
        escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        found: list[ColumnElement[bool]] = [
            Resident.name.ilike(f"%{escaped}%", escape="\\"),
            Resident.id.in_(
                select(ResidentNumber.resident_id).where(ResidentNumber.number == number)
            ),
            Resident.pesel_digest == digest if digest is not None else false(),
        ]
        if "@" in query:
            found.append(Resident.id.in_(
                select(ResidentEmail.resident_id).where(
                    ResidentEmail.address.ilike(f"%{escaped.lower()}%", escape="\\")
                )
            ))  # fmt: skip

        def read(session: Session) -> list[ResidentOut]:
            rows = session.scalars(
                select(Resident)
                .where(Resident.merged_into.is_(None), or_(*found))
                .order_by(Resident.name, Resident.id)
                .limit(limit)
            )
            return [resident_json(session, r) for r in rows]

        return await self.store.run(read)

    async def get(self, resident_id: int) -> ResidentOut:
        """One resident with their numbers and addresses."""
        return await self.store.run(lambda s: resident_json(s, live_resident(s, resident_id)))

    async def create(self, new: NewResident, actor: str) -> ResidentOut:
        """A new resident: ``name``, optional ``note``, ``numbers`` (text or objects),
        ``emails`` and ``pesel``."""
        if new.pesel is not None:
            _pesel(new.pesel, self.today())  # no birth date after today
        return await self.store.run(
            lambda s: resident_json(s, records.create(s, new, actor, self.pesel_key))
        )

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

        def change(session: Session, row: Resident) -> None:
            claim_number(session, row.id, number, text)

        return await self._change(resident_id, actor, "resident_number_added", change)

    async def remove_number(self, resident_id: int, raw: object, actor: str) -> ResidentOut:
        """Take a number off the resident (404 if they do not have it)."""
        number = _number(raw)

        def change(session: Session, row: Resident) -> None:
            _remove_owned(session, select(ResidentNumber).where(
                ResidentNumber.number == number, ResidentNumber.resident_id == row.id
            ), "Ten mieszkaniec nie ma takiego numeru.")  # fmt: skip

        return await self._change(resident_id, actor, "resident_number_removed", change)

    async def add_email(self, resident_id: int, raw_address: object, actor: str) -> ResidentOut:
        """Give the resident an e-mail address (409 if someone else has it)."""
        address = _address(raw_address)
        return await self._change(
            resident_id, actor, "resident_email_added",
            lambda session, row: records.claim_email(session, row.id, address),
        )  # fmt: skip

    async def remove_email(self, resident_id: int, raw_address: object, actor: str) -> ResidentOut:
        """Take an e-mail address off the resident (404 if they do not have it)."""
        address = _address(raw_address)

        def change(session: Session, row: Resident) -> None:
            _remove_owned(session, select(ResidentEmail).where(
                ResidentEmail.address == address, ResidentEmail.resident_id == row.id
            ), "Ten mieszkaniec nie ma takiego adresu e-mail.")  # fmt: skip

        return await self._change(resident_id, actor, "resident_email_removed", change)

    async def set_pesel(self, resident_id: int, raw_pesel: object, actor: str) -> ResidentOut:
        """Record the resident's PESEL (as its digest; 409 if another resident has it)."""
        digest = self.digest(raw_pesel)
        return await self._change(
            resident_id, actor, "resident_pesel_set",
            lambda session, row: records.claim_pesel(session, row, digest),
        )  # fmt: skip

    async def clear_pesel(self, resident_id: int, actor: str) -> ResidentOut:
        """Forget the resident's PESEL digest (404 if none is on record)."""

        def change(session: Session, row: Resident) -> None:
            if row.pesel_digest is None:
                raise ResidentNotFound("Ten mieszkaniec nie ma zapisanego numeru PESEL.")
            row.pesel_digest = None

        return await self._change(resident_id, actor, "resident_pesel_removed", change)

    async def merge(self, keep_id: int, other_id: int, actor: str) -> ResidentOut:
        """Fold duplicate ``other_id`` into ``keep_id``: its numbers, addresses, note and PESEL
        digest move over (two different PESEL digests: ``PeselConflict``, nothing changes),
        it points to ``keep_id`` from now on, and the merge is audited."""
        if keep_id == other_id:
            raise InvalidResident("Nie można połączyć mieszkańca z nim samym.")

        def write(session: Session) -> ResidentOut:
            keep, other = live_resident(session, keep_id), live_resident(session, other_id)
            digest = other.pesel_digest
            if digest is not None and keep.pesel_digest not in (None, digest):
                raise PeselConflict()
            moved = session.scalars(
                select(ResidentNumber).where(ResidentNumber.resident_id == other.id)
            ).all()
            for number in moved:
                number.resident_id = keep.id
            addresses = session.scalars(
                select(ResidentEmail).where(ResidentEmail.resident_id == other.id)
            ).all()
            for address in addresses:
                address.resident_id = keep.id
            if digest is not None:
                other.pesel_digest = None
                session.flush()  # one owner at a time (the digest is unique)
                keep.pesel_digest = digest
            if other.note:
                keep.note = (keep.note + "\n" + other.note).strip()[:MAX_NOTE]
            other.merged_into, other.updated_at = keep.id, utcnow()
            keep.updated_at = utcnow()
            audit.record(session, "residents_merged", actor=actor, target=str(keep.id),
                         merged=other.id, numbers_moved=len(moved),
                         emails_moved=len(addresses), pesel_moved=digest is not None)  # fmt: skip
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

    async def _found(self, find: Callable[[Session], int | None]) -> ResidentOut | None:
        def read(session: Session) -> ResidentOut | None:
            found = find(session)
            return None if found is None else resident_json(session, live_resident(session, found))

        return await self.store.run(read)

    async def _change(
        self, resident_id: int, actor: str, action: str,
        change: Callable[[Session, Resident], None],
    ) -> ResidentOut:  # fmt: skip
        """Apply ``change`` to the live resident, stamp it and audit ``action`` (no values)."""

        def write(session: Session) -> ResidentOut:
            row = live_resident(session, resident_id)
            change(session, row)
            row.updated_at = utcnow()
            audit.record(session, action, actor=actor, target=str(row.id))
            session.flush()
            return resident_json(session, row)

        return await self.store.run(write)


def _remove_owned(session: Session, owned: Select[Any], missing: str) -> None:
    """Delete the row ``owned`` finds (a number or an address of this resident), else 404."""
    row = session.scalar(owned)
    if row is None:
        raise ResidentNotFound(missing)
    session.delete(row)
