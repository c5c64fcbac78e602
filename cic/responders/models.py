"""Tables of the responders and their dispatches.

``responders`` holds personal data (names, phone numbers, e-mails of sołtysi and officials):
it is in the RODO register (``cic/privacy/rejestr.yaml``, "ratownicy"). ``dispatches`` points at
an incident by its number only (no foreign key: the incidents are another domain's table).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cic.db import Base, UTCDateTime, utcnow

NAME_LENGTH = 120


class Responder(Base):
    """A person or unit that can be sent: kind, base (degrees, and the address it came from),
    contact (phone for SMS and calls, e-mail), ``channels`` in the order to use them
    ("sms,voice,email"), the on-duty calendar and the manual availability."""

    __tablename__ = "responders"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    address: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(16), default="")
    email: Mapped[str] = mapped_column(String(320), default="")
    channels: Mapped[str] = mapped_column(String(40), default="sms,voice")
    always_on: Mapped[bool] = mapped_column(Boolean, default=False)
    weekly: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    exceptions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    availability: Mapped[str] = mapped_column(String(16), default="dostepny")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Dispatch(Base):
    """One call-out of a responder to an incident: who sent it and when, its state
    (``wyslane`` → ``potwierdzone`` / ``odmowa`` / ``brak_odpowiedzi``) and the note."""

    __tablename__ = "dispatches"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    incident_id: Mapped[int] = mapped_column(Integer, index=True)
    responder_id: Mapped[int] = mapped_column(ForeignKey("responders.id"), index=True)
    sent_by: Mapped[str] = mapped_column(String(64))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default="wyslane")
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text, default="")


class DispatchEvent(Base):
    """The history of a dispatch: each change of state, when, by whom (a user name, or
    "system" for an acknowledgement from the notification store) and a detail."""

    __tablename__ = "dispatch_events"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    dispatch_id: Mapped[int] = mapped_column(
        ForeignKey("dispatches.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    status: Mapped[str] = mapped_column(String(16))
    by: Mapped[str] = mapped_column(String(64), default="")
    detail: Mapped[str] = mapped_column(String(500), default="")
