"""Tables of the warnings domain: the warnings themselves and the residents' subscriptions
with the record of their consent.

Lists (a warning's sołectwa and channels, a subscription's sołectwa) are JSON text: short,
read whole, never searched by an index. An empty list of sołectwa means the whole gmina.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cic.db import Base, UTCDateTime, utcnow

ADDRESS_LENGTH = 320
#: How serious a warning is (stored value → the Polish word residents read).
SEVERITIES = {"informacja": "informacja", "ostrzezenie": "ostrzeżenie", "alarm": "alarm"}
#: Where a warning goes: the portal banner and the three channels of the notify store.
CHANNELS = {"portal": "baner na portalu", "email": "e-mail", "sms": "SMS",
            "voice": "połączenie głosowe"}  # fmt: skip
#: A warning's stored states (``wygasle`` is shown, not stored: ``wyslane`` past its end).
STATES = {"szkic": "szkic", "wyslane": "wysłane", "odwolane": "odwołane", "wygasle": "wygasłe"}
#: Channels a resident may subscribe to.
SUBSCRIPTION_CHANNELS = {"email": "e-mail", "sms": "SMS", "voice": "połączenie głosowe"}
SUBSCRIPTION_STATES = {"pending": "oczekuje na potwierdzenie", "active": "aktywna",
                       "unsubscribed": "wypisana"}  # fmt: skip
#: How consent was given (and how a subscription was ended).
CONSENT_WAYS = {"portal": "portal", "phone": "telefon", "desk": "w urzędzie",
                "link": "link w e-mailu"}  # fmt: skip


class ResidentWarning(Base):
    """One warning. ``text`` is the short text (what an SMS and a call say), ``details`` the
    longer text on the portal; ``solectwa`` empty is the whole gmina; ``incident_id`` is the
    incident register's number (no foreign key: the register is another domain);
    ``audio`` a recorded file's name for calls (empty: generated speech)."""

    __tablename__ = "warnings"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    details: Mapped[str] = mapped_column(Text, default="", server_default="")
    severity: Mapped[str] = mapped_column(String(16), default="ostrzezenie",
                                          server_default="ostrzezenie")  # fmt: skip
    solectwa: Mapped[str] = mapped_column(Text, default="[]", server_default="[]")
    channels: Mapped[str] = mapped_column(Text, default='["portal"]', server_default='["portal"]')
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    valid_until: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    incident_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    audio: Mapped[str] = mapped_column(String(255), default="", server_default="")
    state: Mapped[str] = mapped_column(String(16), default="szkic", server_default="szkic")
    created_by: Mapped[str] = mapped_column(String(64), default="", server_default="")
    sent_by: Mapped[str] = mapped_column(String(64), default="", server_default="")
    cancelled_by: Mapped[str] = mapped_column(String(64), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class WarningSubscription(Base):
    """A resident's subscription on one channel: ``address`` a national phone number (sms,
    voice) or an e-mail address; ``solectwa`` empty is the whole gmina. The consent record:
    how (portal, phone, desk), when, the call (its recording is the consent's audio) or the
    official who took it, and the consent text word for word with its version. A request
    waits ``pending`` until its code (SMS, voice) or link (e-mail) is confirmed; the code's
    SHA-256 is kept with its purpose (subscribe or unsubscribe), expiry and wrong tries."""

    __tablename__ = "warning_subscriptions"
    __table_args__ = (UniqueConstraint("channel", "address"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(8))
    address: Mapped[str] = mapped_column(String(ADDRESS_LENGTH))
    solectwa: Mapped[str] = mapped_column(Text, default="[]", server_default="[]")
    pending_solectwa: Mapped[str] = mapped_column(Text, default="[]", server_default="[]")
    state: Mapped[str] = mapped_column(String(16), default="pending", server_default="pending")
    consent_how: Mapped[str] = mapped_column(String(16), default="", server_default="")
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    consent_call_id: Mapped[str] = mapped_column(String(64), default="", server_default="")
    consent_official: Mapped[str] = mapped_column(String(64), default="", server_default="")
    consent_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    consent_version: Mapped[str] = mapped_column(String(16), default="", server_default="")
    code_hash: Mapped[str] = mapped_column(String(64), default="", server_default="")
    code_purpose: Mapped[str] = mapped_column(String(16), default="", server_default="")
    code_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    code_tries: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: Bumped on every code sent (the notify batch ``verify:<id>.<n>``) and every
    #: unsubscription (old unsubscribe links stop matching).
    generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    unsubscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    unsubscribed_how: Mapped[str] = mapped_column(String(16), default="", server_default="")
