"""Tables of the dues: payers (number, PIN hash, initials) and their items (what is due)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from cic.db import Base, UTCDateTime, utcnow

PAYER_LENGTH, ITEM_LENGTH, TITLE_LENGTH, TRANSFER_LENGTH = 30, 64, 200, 32


class DuesPayer(Base):
    """A payer of the office's finance system: the argon2 hash of the PIN from their decision
    (never the PIN) and at most their initials (never their name)."""

    __tablename__ = "dues_payers"

    number: Mapped[str] = mapped_column(String(PAYER_LENGTH), primary_key=True)
    pin_hash: Mapped[str] = mapped_column(String(200))
    initials: Mapped[str] = mapped_column(String(10), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class DuesItem(Base):
    """One item due, keyed by the finance system's own id: amounts in grosze, ``paid`` what
    has come in so far, ``account`` the individual NRB to pay to."""

    __tablename__ = "dues_items"
    __table_args__ = (
        CheckConstraint("amount > 0 AND paid >= 0 AND paid <= amount", name="amounts"),
    )

    item_id: Mapped[str] = mapped_column(String(ITEM_LENGTH), primary_key=True)
    payer: Mapped[str] = mapped_column(
        String(PAYER_LENGTH), ForeignKey("dues_payers.number", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(TITLE_LENGTH))
    amount: Mapped[int] = mapped_column(BigInteger)
    paid: Mapped[int] = mapped_column(BigInteger, default=0)
    due: Mapped[date] = mapped_column(Date)
    account: Mapped[str] = mapped_column(String(26))
    transfer_title: Mapped[str] = mapped_column(String(TRANSFER_LENGTH))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
