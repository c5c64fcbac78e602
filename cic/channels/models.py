"""Tables of the channels domain: messages in and out of a contact report, their attachments,
and how far each mailbox folder has been read.

A message is stored before anything is done with it (exactly once, by ``message_id``), so a
message that cannot be parsed is still kept and shown. Raw messages and attachment contents
are files in the private channel store, named by their SHA-256.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cic.db import Base, UTCDateTime, utcnow

MESSAGE_ID_LENGTH, ADDRESS_LENGTH = 998, 320
#: States of an outgoing message: waiting to be sent (first time or again), sent, given up.
SEND_STATES = {"oczekuje": "czeka na wysłanie", "wyslana": "wysłana", "blad": "nie wysłano"}


class ChannelMessage(Base):
    """One message of a contact report, incoming (``direction`` ``in``) or outgoing (``out``).

    Incoming messages without a report are automatic ones (bounces, auto-replies) that
    answer nothing of ours; they are kept and listed for supervisors, never answered.
    """

    __tablename__ = "channel_messages"
    __table_args__ = (Index("ix_channel_messages_sending", "send_state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    report_id: Mapped[int | None] = mapped_column(
        ForeignKey("contact_reports.id", ondelete="CASCADE"), nullable=True, index=True
    )
    channel: Mapped[str] = mapped_column(String(16))
    direction: Mapped[str] = mapped_column(String(3))
    purpose: Mapped[str] = mapped_column(String(16), default="", server_default="")
    message_id: Mapped[str] = mapped_column(String(MESSAGE_ID_LENGTH), unique=True)
    in_reply_to: Mapped[str] = mapped_column(Text, default="", server_default="")
    references: Mapped[str] = mapped_column(Text, default="", server_default="")
    from_address: Mapped[str] = mapped_column(
        String(ADDRESS_LENGTH), default="", server_default="", index=True
    )
    from_name: Mapped[str] = mapped_column(String(300), default="", server_default="")
    to_addresses: Mapped[str] = mapped_column(Text, default="", server_default="")
    subject: Mapped[str] = mapped_column(Text, default="", server_default="")
    body_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    body_html: Mapped[str] = mapped_column(Text, default="", server_default="")
    auto: Mapped[str] = mapped_column(String(16), default="", server_default="")
    sender_check: Mapped[str] = mapped_column(String(8), default="", server_default="")
    defects: Mapped[str] = mapped_column(Text, default="", server_default="")
    #: The consent text the resident accepted with a web-form message, word for word.
    consent: Mapped[str] = mapped_column(Text, default="", server_default="")
    unparseable: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    raw_sha256: Mapped[str] = mapped_column(String(64), default="", server_default="")
    size: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    author: Mapped[str] = mapped_column(String(64), default="", server_default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    send_state: Mapped[str] = mapped_column(String(16), default="", server_default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_error: Mapped[str] = mapped_column(Text, default="", server_default="")


class ChannelAttachment(Base):
    """An attachment of a message; ``rejected`` (a Polish reason) when its content was not
    kept (too big, executable, a type the office does not accept)."""

    __tablename__ = "channel_attachments"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("channel_messages.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(255), default="", server_default="")
    detected_type: Mapped[str] = mapped_column(String(255), default="", server_default="")
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    sha256: Mapped[str] = mapped_column(String(64), default="", server_default="")
    rejected: Mapped[str] = mapped_column(String(300), default="", server_default="")


class MailCursor(Base):
    """How far one mailbox folder has been read: its UIDVALIDITY and the last UID stored."""

    __tablename__ = "mail_cursors"

    mailbox: Mapped[str] = mapped_column(String(600), primary_key=True)
    uidvalidity: Mapped[int] = mapped_column(BigInteger)
    last_uid: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
