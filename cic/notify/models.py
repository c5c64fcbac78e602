"""Tables of the notification store: one message per batch, one delivery per recipient and
channel.

A batch names what the message is about, ``<kind>:<id>`` (``warning:12``, ``dispatch:7``); the
domain that sends it reads the results back by that name.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cic.db import Base, UTCDateTime, utcnow

BATCH_LENGTH = 64
ADDRESS_LENGTH = 320


class NotifyMessage(Base):
    """What a batch says: ``subject`` (e-mail subject, SMS prefix), ``text`` (the words sent or
    spoken), ``audio`` (a recorded file's name for voice calls; empty: generated speech), and
    whether the recipient is asked to confirm (press 1, open the link)."""

    __tablename__ = "notify_messages"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    batch: Mapped[str] = mapped_column(String(BATCH_LENGTH), unique=True)
    subject: Mapped[str] = mapped_column(String(200), default="", server_default="")
    text: Mapped[str] = mapped_column(Text)
    audio: Mapped[str] = mapped_column(String(255), default="", server_default="")
    confirm: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Delivery(Base):
    """One recipient on one channel: ``address`` is a national phone number (voice, SMS) or an
    e-mail address; ``recipient`` the sender domain's reference (``subscriber:5``,
    ``responder:3``). ``next_at`` is when a queued delivery may be tried (again)."""

    __tablename__ = "notify_deliveries"
    __table_args__ = (
        UniqueConstraint("batch", "channel", "address"),
        Index("ix_notify_deliveries_due", "channel", "status", "next_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    batch: Mapped[str] = mapped_column(String(BATCH_LENGTH), index=True)
    channel: Mapped[str] = mapped_column(String(8))
    address: Mapped[str] = mapped_column(String(ADDRESS_LENGTH))
    recipient: Mapped[str] = mapped_column(String(64), default="", server_default="")
    status: Mapped[str] = mapped_column(String(16), default="queued", server_default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    max_attempts: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    next_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    detail: Mapped[str] = mapped_column(Text, default="", server_default="")
