"""Tables of the residents domain: residents, their phone numbers and e-mail addresses."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from cic.db import Base, UTCDateTime, utcnow


class Resident(Base):
    """A person who contacts the office. ``merged_into`` points to the record that replaced a
    duplicate (its numbers moved there); merged records are kept for the audit trail."""

    __tablename__ = "residents"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, server_default=func.now()
    )
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    merged_into: Mapped[int | None] = mapped_column(
        ForeignKey("residents.id", ondelete="SET NULL"), index=True
    )
    #: A keyed hash of the PESEL (never the number itself) so the front desk can find the
    #: resident by it; see :mod:`cic.residents.pesel`.
    pesel_digest: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)


class ResidentNumber(Base):
    """One phone number of a resident, canonical (``+48600100200``); a number has one owner."""

    __tablename__ = "resident_numbers"

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(
        ForeignKey("residents.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[str] = mapped_column(String(32), unique=True)
    label: Mapped[str] = mapped_column(String(60), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, server_default=func.now()
    )


class ResidentEmail(Base):
    """One e-mail address of a resident, lowercased; an address has one owner."""

    __tablename__ = "resident_emails"

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(
        ForeignKey("residents.id", ondelete="CASCADE"), index=True
    )
    address: Mapped[str] = mapped_column(String(320), unique=True)
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, server_default=func.now()
    )
