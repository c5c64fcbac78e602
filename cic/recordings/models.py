"""Tables of the recordings domain: per-speaker files, transcripts, topics, supervisors'
corrections, legal holds and the transcripts' search rows (the post-call jobs that fill them
are ``cic.postcall.models``).

Everything refers to a call by its ``call_id`` (Asterisk's linkedid) without a foreign key, so
retention can delete a call's derived data while the call record (statistics) stays.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cic.db import Base, UTCDateTime, utcnow
from cic.recordings.schemas import TopicTag, TranscriptRecord

TOPIC_SOURCES = ("auto", "wrapup", "supervisor")


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


class RecordingChannel(Base):
    """One speaker's file of a call recording (MixMonitor ``r()``/``t()``) with its checksum."""

    __tablename__ = "recording_channels"
    __table_args__ = (UniqueConstraint("call_id", "speaker"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[str] = mapped_column(String(128), index=True)
    speaker: Mapped[str] = mapped_column(String(16))
    path: Mapped[str] = mapped_column(String(1024))
    bytes: Mapped[int] = mapped_column(BigInteger)
    duration_seconds: Mapped[float]
    sha256: Mapped[str] = mapped_column(String(64))

    def as_dict(self) -> dict[str, Any]:
        """The file as a JSON-ready dict."""
        return {
            "speaker": self.speaker,
            "path": self.path,
            "bytes": self.bytes,
            "duration_seconds": self.duration_seconds,
            "sha256": self.sha256,
        }


class CallTranscript(Base):
    """A call's redacted transcript: speaker segments with timed words and confidence.

    ``unredacted`` is filled only when ``speech.unredacted_role`` is set, and shown only to
    that role; by default it stays NULL (the unredacted text is never stored).
    """

    __tablename__ = "call_transcripts"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[str] = mapped_column(String(128), unique=True)
    job_id: Mapped[int | None]
    engine: Mapped[str] = mapped_column(String(64), default="")
    model: Mapped[str] = mapped_column(String(255), default="")
    language: Mapped[str] = mapped_column(String(16), default="pl")
    split_by_speaker: Mapped[bool] = mapped_column(default=True)
    duration_seconds: Mapped[float] = mapped_column(default=0.0)
    segments: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    text: Mapped[str] = mapped_column(Text, default="")
    findings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    unredacted: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def as_dict(self, *, with_unredacted: bool = False) -> TranscriptRecord:
        """The transcript as a JSON-ready dict (the unredacted text only when asked)."""
        out: TranscriptRecord = {
            "call_id": self.call_id,
            "engine": self.engine,
            "model": self.model,
            "language": self.language,
            "split_by_speaker": self.split_by_speaker,
            "duration_seconds": self.duration_seconds,
            "segments": self.segments,
            "text": self.text,
            "findings": self.findings,
            "created_at": _iso(self.created_at),
            "updated_at": _iso(self.updated_at),
        }
        if with_unredacted:
            out["unredacted"] = self.unredacted
        return out


class CallTopic(Base):
    """A topic of a call: automatic (tagger), the agent's wrap-up, or a supervisor's choice."""

    __tablename__ = "call_topics"
    __table_args__ = (
        UniqueConstraint("call_id", "topic_id", "source"),
        CheckConstraint("source IN ('auto', 'wrapup', 'supervisor')", name="source"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[str] = mapped_column(String(128), index=True)
    topic_id: Mapped[str] = mapped_column(String(200))
    confidence: Mapped[float] = mapped_column(default=1.0)
    source: Mapped[str] = mapped_column(String(16))
    matched: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def as_dict(self) -> TopicTag:
        """The tag as a JSON-ready dict."""
        return {
            "topic_id": self.topic_id,
            "confidence": self.confidence,
            "source": self.source,
            "matched": self.matched,
            "created_by": self.created_by,
            "created_at": _iso(self.created_at),
        }


class TopicCorrection(Base):
    """A supervisor's correction: the topics of a call before and after (every one is kept)."""

    __tablename__ = "topic_corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[str] = mapped_column(String(128), index=True)
    before: Mapped[list[str]] = mapped_column(JSON)
    after: Mapped[list[str]] = mapped_column(JSON)
    corrected_by: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def as_dict(self) -> dict[str, Any]:
        """The correction as a JSON-ready dict."""
        return {
            "call_id": self.call_id,
            "before": self.before,
            "after": self.after,
            "corrected_by": self.corrected_by,
            "at": _iso(self.at),
        }


class LegalHold(Base):
    """A call kept past retention (a legal hold); deleting the row clears the hold."""

    __tablename__ = "legal_holds"

    call_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    set_by: Mapped[str] = mapped_column(String(64))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TranscriptTerms(Base):
    """A transcript's redacted text as folded lemmas, for full-text search (one row per call).

    ``starts`` has a line per segment: the speaker, then the start of each word in
    centiseconds, so a hit's seek time is found without reading the segments' JSON.

    Written with the transcript, deleted with it. Migration 0014 adds what no model describes:
    an FTS5 table over ``lemmas`` on SQLite, a ``tsvector`` column with a GIN index on
    PostgreSQL (see ``cic.review.search``, which writes and reads the rows).
    """

    __tablename__ = "transcript_terms"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[str] = mapped_column(String(128), unique=True)
    lemmas: Mapped[str] = mapped_column(Text, default="")
    starts: Mapped[str] = mapped_column(Text, default="")
