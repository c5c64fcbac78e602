"""Tables of the transfers domain: one row per transfer, one per leg (who was rung, what happened).

``active_call_id`` holds the call id while a transfer is open and is NULL once it ends; its
unique constraint is the store half of the per-call lock: a second open transfer of the same
call cannot be written, whichever process or console tries. ``version`` counts the row's
changes (optimistic check of every transition).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cic.db import Base, UTCDateTime, utcnow
from cic.transfers.schemas import LegOut, TransferOut


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


class Transfer(Base):
    """One transfer of a resident's call: consult (may become attended) or blind."""

    __tablename__ = "transfers"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    call_id: Mapped[str] = mapped_column(String(128), index=True)
    active_call_id: Mapped[str | None] = mapped_column(String(128), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    from_agent: Mapped[str] = mapped_column(String(255), default="", server_default="")
    from_channel: Mapped[str] = mapped_column(String(255), default="", server_default="")
    target_kind: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(String(128))
    target_interface: Mapped[str] = mapped_column(String(255), default="", server_default="")
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
    caller_number: Mapped[str] = mapped_column(String(400), default="", server_default="")
    caller_name: Mapped[str] = mapped_column(String(400), default="", server_default="")
    matter: Mapped[str] = mapped_column(String(128), default="", server_default="")
    article: Mapped[str] = mapped_column(String(128), default="", server_default="")
    reason: Mapped[str] = mapped_column(String(255), default="", server_default="")
    requested_by: Mapped[str] = mapped_column(String(64), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def summary(self) -> TransferOut:
        """The transfer as a JSON-ready dict (without legs)."""
        return {
            "id": self.id,
            "call_id": self.call_id,
            "kind": self.kind,
            "state": self.state,
            "version": self.version,
            "from_agent": self.from_agent,
            "from_channel": self.from_channel,
            "target": {self.target_kind: self.target},
            "target_interface": self.target_interface,
            "note": self.note,
            "caller_number": self.caller_number,
            "caller_name": self.caller_name,
            "matter": self.matter,
            "article": self.article,
            "reason": self.reason,
            "requested_by": self.requested_by,
            "created_at": _iso(self.created_at),
            "updated_at": _iso(self.updated_at),
            "ended_at": _iso(self.ended_at),
        }


class TransferLeg(Base):
    """One step of a transfer as it happened: requested, ringing, answered, returned, ..."""

    __tablename__ = "transfer_legs"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    transfer_id: Mapped[int] = mapped_column(
        ForeignKey("transfers.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    step: Mapped[str] = mapped_column(String(32))
    party: Mapped[str] = mapped_column(String(255), default="", server_default="")
    detail: Mapped[str] = mapped_column(Text, default="", server_default="")

    def summary(self) -> LegOut:
        """The leg as a JSON-ready dict."""
        return {"at": _iso(self.at), "step": self.step, "party": self.party, "detail": self.detail}
