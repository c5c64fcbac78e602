"""Tables of the routing domain: the office's opening-mode switch."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from cic.db import Base, UTCDateTime


class OfficeMode(Base):
    """One row: ``auto`` (hours and holidays), ``open`` (on duty) or ``closed`` (closed now).

    An office opens on a Saturday for an election or a deadline, or closes at short notice
    (a burst pipe, a staff meeting); the switch overrides the calendar until set back to auto.
    """

    __tablename__ = "office_mode"

    id: Mapped[int] = mapped_column(primary_key=True)
    mode: Mapped[str] = mapped_column(String(8), default="auto", server_default="auto")
    changed_by: Mapped[str] = mapped_column(String(64), default="", server_default="")
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
