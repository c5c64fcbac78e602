"""The table of the post-call job system: one row per recording to process.

A job refers to its call by ``call_id`` (Asterisk's linkedid) without a foreign key, like the
recordings' tables, so retention can delete it with the call's derived data.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cic.db import Base, UTCDateTime, utcnow
from cic.postcall.schemas import JobOut

JOB_STATUSES = ("queued", "running", "done", "failed")


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


class PostCallJob(Base):
    """One recording's processing (transcribe, redact, tag); unique per (call, recording).

    ``status`` queued -> running (leased until ``lease_until`` by ``lease_owner``) -> done, or
    back to queued with ``next_at`` pushed out after a failure, or failed after
    ``max_attempts``. ``attempts`` counts claims, so a worker killed mid-job uses one.
    """

    __tablename__ = "post_call_jobs"
    __table_args__ = (
        UniqueConstraint("call_id", "recording_path"),
        CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="status"),
        Index("ix_post_call_jobs_status_next", "status", "next_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[str] = mapped_column(String(128), index=True)
    recording_path: Mapped[str] = mapped_column(String(1024))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    step: Mapped[str] = mapped_column(String(32), default="")
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=4)
    next_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lease_owner: Mapped[str] = mapped_column(String(128), default="")
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def as_dict(self) -> JobOut:
        """The job as a JSON-ready dict."""
        return {
            "id": self.id,
            "call_id": self.call_id,
            "recording_path": self.recording_path,
            "status": self.status,
            "step": self.step,
            "attempts": self.attempts,
            "max_attempts": self.max_attempts,
            "next_at": _iso(self.next_at),
            "lease_owner": self.lease_owner,
            "lease_until": _iso(self.lease_until),
            "last_error": self.last_error,
            "created_at": _iso(self.created_at),
            "finished_at": _iso(self.finished_at),
        }
