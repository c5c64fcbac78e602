"""Tables of the calls domain: call records, their timeline and their recordings.

``call_id`` is Asterisk's linkedid everywhere in cic; the timeline and recordings refer to
the call by it. All times are stored in UTC and read back timezone-aware.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from cic.calls.schemas import CallSummary, RecordingOut, TimelineEntry, WrapupOut
from cic.db import Base, UTCDateTime, utcnow

OUTCOMES = (
    "in_progress", "answered", "abandoned", "message", "unanswered", "lost", "callback",
)  # fmt: skip
CONSENTS = ("given", "declined", "not_asked", "always")
RECORDING_KINDS = ("call", "message")
CALLER_FIELD_LENGTH = 400


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


class Call(Base):
    """One resident's call, keyed by the Asterisk linkedid, summarised from its events."""

    __tablename__ = "calls"
    __table_args__ = (
        CheckConstraint(_one_of("outcome", OUTCOMES), name="outcome"),
        CheckConstraint(_one_of("recording_consent", CONSENTS), name="recording_consent"),
        Index("ix_calls_caller_answered", "caller_number", "answered_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    call_id: Mapped[str] = mapped_column(String(128), unique=True)
    caller_number: Mapped[str] = mapped_column(
        String(CALLER_FIELD_LENGTH), default="", server_default=""
    )
    caller_name: Mapped[str] = mapped_column(
        String(CALLER_FIELD_LENGTH), default="", server_default=""
    )
    dialled: Mapped[str] = mapped_column(String(CALLER_FIELD_LENGTH), default="", server_default="")
    entered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    queue: Mapped[str | None] = mapped_column(String(128))
    agent: Mapped[str | None] = mapped_column(String(255))
    outcome: Mapped[str] = mapped_column(
        String(16), default="in_progress", server_default="in_progress"
    )
    wait_seconds: Mapped[float | None]
    talk_seconds: Mapped[float | None]
    routing_action: Mapped[str | None] = mapped_column(String(64))
    routing_target: Mapped[str | None] = mapped_column(String(255))
    routing_reason: Mapped[str | None] = mapped_column(Text)
    fallback: Mapped[bool] = mapped_column(default=False, server_default=false())
    recording_consent: Mapped[str | None] = mapped_column(String(16))
    end_cause: Mapped[str | None] = mapped_column(String(255))

    def summary(self) -> CallSummary:
        """The call as a JSON-ready dict (times as ISO 8601 strings in UTC)."""
        return {
            "id": self.id,
            "call_id": self.call_id,
            "caller_number": self.caller_number,
            "caller_name": self.caller_name,
            "dialled": self.dialled,
            "entered_at": _iso(self.entered_at),
            "queued_at": _iso(self.queued_at),
            "answered_at": _iso(self.answered_at),
            "ended_at": _iso(self.ended_at),
            "queue": self.queue,
            "agent": self.agent,
            "outcome": self.outcome,
            "wait_seconds": self.wait_seconds,
            "talk_seconds": self.talk_seconds,
            "routing_action": self.routing_action,
            "routing_target": self.routing_target,
            "routing_reason": self.routing_reason,
            "fallback": self.fallback,
            "recording_consent": self.recording_consent,
            "end_cause": self.end_cause,
        }


class CallEvent(Base):
    """One entry of a call's timeline: a domain event type, its time and its other fields."""

    __tablename__ = "call_events"
    __table_args__ = (Index("ix_call_events_call_at", "call_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[str] = mapped_column(ForeignKey("calls.call_id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    type: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)

    def as_dict(self) -> TimelineEntry:
        """The timeline entry as a JSON-ready dict."""
        return {"at": self.at.isoformat(), "type": self.type, "data": self.data}


class Recording(Base):
    """A recording file of a call (``kind='call'``) or a message left after hours."""

    __tablename__ = "recordings"
    __table_args__ = (
        CheckConstraint(_one_of("kind", RECORDING_KINDS), name="kind"),
        UniqueConstraint("call_id", "path"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[str] = mapped_column(ForeignKey("calls.call_id", ondelete="CASCADE"))
    path: Mapped[str] = mapped_column(String(1024))
    bytes: Mapped[int] = mapped_column(BigInteger)
    duration_seconds: Mapped[float]
    sha256: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, server_default=func.now()
    )

    def as_dict(self) -> RecordingOut:
        """The recording as a JSON-ready dict."""
        return {
            "id": self.id,
            "path": self.path,
            "bytes": self.bytes,
            "duration_seconds": self.duration_seconds,
            "sha256": self.sha256,
            "kind": self.kind,
            "created_at": self.created_at.isoformat(),
        }


class CallWrapup(Base):
    """What the agent noted after the call: outcome, topic and a free-text note.

    One row per agent who handled the call (after a transfer each leg gets its own); the text is
    kept exactly as typed and shown escaped.
    """

    __tablename__ = "call_wrapups"
    __table_args__ = (UniqueConstraint("call_id", "agent"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[str] = mapped_column(ForeignKey("calls.call_id", ondelete="CASCADE"))
    agent: Mapped[str] = mapped_column(String(255))
    outcome: Mapped[str] = mapped_column(String(100))
    topic: Mapped[str] = mapped_column(String(200), default="", server_default="")
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
    saved_by: Mapped[str] = mapped_column(String(64))
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def as_dict(self) -> WrapupOut:
        """The wrap-up as a JSON-ready dict."""
        return {
            "agent": self.agent,
            "outcome": self.outcome,
            "topic": self.topic,
            "note": self.note,
            "saved_by": self.saved_by,
            "saved_at": self.saved_at.isoformat(),
        }
