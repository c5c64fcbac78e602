"""Table of the callbacks domain: one request per call, its attempts and outcome."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, func
from sqlalchemy.orm import Mapped, mapped_column

from cic.db import Base, UTCDateTime, utcnow

# waiting: its placeholder holds the resident's place in the queue; dialing: an agent took it
# and the resident's phone rings; retry: waiting for the next attempt; done, failed, cancelled.
STATUSES = ("waiting", "dialing", "retry", "done", "failed", "cancelled")
OPEN_STATUSES = ("waiting", "dialing", "retry")


class CallbackRequest(Base):
    """A resident's request to be called back, made while queued on call ``call_id``."""

    __tablename__ = "callback_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[str] = mapped_column(String(128), unique=True)
    number: Mapped[str] = mapped_column(String(20))
    queue: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(default=1, server_default="1")
    status: Mapped[str] = mapped_column(String(16), index=True)
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    agent: Mapped[str] = mapped_column(String(255), default="", server_default="")
    last_result: Mapped[str] = mapped_column(String(32), default="", server_default="")
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    requested_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, server_default=func.now()
    )
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by: Mapped[str] = mapped_column(String(64), default="", server_default="")
    shown_number: Mapped[str] = mapped_column(String(64), default="", server_default="")
