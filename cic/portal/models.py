"""Tables of the portal itself: page views per day (no visitor data at all)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, String
from sqlalchemy.orm import Mapped, mapped_column

from cic.db import Base


class PortalPageView(Base):
    """How many times a portal page was shown on a day (office time); nothing else."""

    __tablename__ = "portal_page_views"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    path: Mapped[str] = mapped_column(String(200), primary_key=True)
    views: Mapped[int] = mapped_column(default=0)
