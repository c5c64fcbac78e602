"""Table of the overflow domain: the first-line reserve and who of it is in the first line."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, false, true
from sqlalchemy.orm import Mapped, mapped_column

from cic.db import Base, UTCDateTime


class ReserveMember(Base):
    """An agent the first line may borrow (``reserve``), or has borrowed (``in_first_line``).

    A row with ``reserve`` false exists only while a supervisor has added a non-reserve agent
    by hand. The row survives controller restarts, so borrowed agents are put back into the
    first-line queue after Asterisk restarts and are never left there forgotten.
    """

    __tablename__ = "first_line_reserve"

    agent_id: Mapped[int] = mapped_column(
        ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True
    )
    reserve: Mapped[bool] = mapped_column(default=True, server_default=true())
    penalty: Mapped[int | None] = mapped_column()
    in_first_line: Mapped[bool] = mapped_column(default=False, server_default=false())
    added_by: Mapped[str] = mapped_column(String(64), default="", server_default="")
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
