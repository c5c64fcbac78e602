"""The residents' records inside one transaction: as JSON, found by number, address or PESEL
digest, made, and given numbers, addresses and a PESEL digest (each with one owner).

Other domains (the front desk, the web form, the data-protection officer's rectification)
call these inside their own transaction; :class:`cic.residents.service.ResidentService` is
the register's API over them.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from cic.auth import audit
from cic.db import utcnow
from cic.residents.errors import (
    EmailTaken,
    InvalidResident,
    NumberTaken,
    PeselTaken,
    PeselUnavailable,
    ResidentNotFound,
)
from cic.residents.models import Resident, ResidentEmail, ResidentNumber
from cic.residents.pesel import pesel_digest
from cic.residents.schemas import (
    MAX_EMAILS,
    MAX_NUMBERS,
    NewResident,
    ResidentOut,
    number_pairs,
)


def resident_json(session: Session, row: Resident) -> ResidentOut:
    """The resident with their numbers and addresses, as JSON (whether a PESEL is on record,
    never the digest)."""
    numbers = session.scalars(
        select(ResidentNumber)
        .where(ResidentNumber.resident_id == row.id)
        .order_by(ResidentNumber.id)
    )
    emails = session.scalars(
        select(ResidentEmail.address)
        .where(ResidentEmail.resident_id == row.id)
        .order_by(ResidentEmail.id)
    )
    return {
        "id": row.id,
        "name": row.name,
        "note": row.note,
        "numbers": [{"number": n.number, "label": n.label} for n in numbers],
        "emails": list(emails),
        "has_pesel": row.pesel_digest is not None,
        "created_at": row.created_at.isoformat() if row.created_at else None,
        "updated_at": row.updated_at.isoformat() if row.updated_at else None,
    }


def live_resident(session: Session, resident_id: int) -> Resident:
    """The resident (not a merged duplicate) or ``ResidentNotFound``."""
    row = session.get(Resident, resident_id)
    if row is None or row.merged_into is not None:
        raise ResidentNotFound()
    return row


def by_number(session: Session, number: str) -> int | None:
    """The resident (not a merged duplicate) with this canonical number."""
    return session.scalar(
        select(Resident.id)
        .join(ResidentNumber, ResidentNumber.resident_id == Resident.id)
        .where(ResidentNumber.number == number, Resident.merged_into.is_(None))
    )


def by_address(session: Session, address: str) -> int | None:
    """The resident (not a merged duplicate) with this canonical e-mail address."""
    return session.scalar(
        select(Resident.id)
        .join(ResidentEmail, ResidentEmail.resident_id == Resident.id)
        .where(ResidentEmail.address == address, Resident.merged_into.is_(None))
    )


def by_digest(session: Session, digest: str) -> int | None:
    """The resident (not a merged duplicate) with this PESEL digest."""
    return session.scalar(
        select(Resident.id).where(Resident.pesel_digest == digest, Resident.merged_into.is_(None))
    )


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


def claim_email(session: Session, resident_id: int, address: str) -> None:
    """Give the resident ``address`` (canonical); ``EmailTaken`` if it is someone else's,
    ``InvalidResident`` past ``MAX_EMAILS``; nothing happens when it is theirs already."""
    owner = session.scalar(select(ResidentEmail).where(ResidentEmail.address == address))
    if owner is not None:
        if owner.resident_id != resident_id:
            raise EmailTaken(f"Adres {address} ma już inny mieszkaniec (nr {owner.resident_id}).")
        return
    full = session.scalar(
        select(ResidentEmail.id)
        .where(ResidentEmail.resident_id == resident_id)
        .offset(MAX_EMAILS - 1)
        .limit(1)
    )
    if full is not None:
        raise InvalidResident(f"Najwyżej {MAX_EMAILS} adresów e-mail jednego mieszkańca.")
    session.add(ResidentEmail(resident_id=resident_id, address=address))
    session.flush()


def digest_of(pesel: str, key: bytes | None) -> str:
    """The digest the register keeps of an already checked ``pesel``."""
    if not key:
        raise PeselUnavailable()
    return pesel_digest(pesel, key)


def claim_pesel(session: Session, row: Resident, digest: str) -> None:
    """Give ``row`` this PESEL digest (replacing theirs); ``PeselTaken`` if another resident
    (a merged duplicate included: it points to the one who has it now) has it."""
    owner = session.scalar(select(Resident.id).where(Resident.pesel_digest == digest))
    if owner is not None and owner != row.id:
        raise PeselTaken()
    row.pesel_digest = digest
    session.flush()


def create(session: Session, new: NewResident, actor: str, pesel_key: bytes | None) -> Resident:
    """A new resident with their numbers, addresses and PESEL digest (audited, no values)."""
    row = Resident(name=new.name, note=new.note, updated_at=utcnow())
    session.add(row)
    session.flush()
    for number, label in number_pairs(new.numbers):
        claim_number(session, row.id, number, label)
    for address in dict.fromkeys(new.emails):
        claim_email(session, row.id, address)
    if new.pesel is not None:
        claim_pesel(session, row, digest_of(new.pesel, pesel_key))
    audit.record(session, "resident_created", actor=actor, target=str(row.id))
    session.flush()
    return row
