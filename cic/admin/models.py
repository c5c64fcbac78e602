"""Tables of the admin domain: office settings stored over the configuration defaults."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cic.db import Base, UTCDateTime


class OfficeSetting(Base):
    """One stored office setting (``hours``, ``closed_days``, ...); ``value`` is JSON text.

    A key without a row means the value from the configuration (``cic.yaml``, ``CIC_*``).
    """

    __tablename__ = "office_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_by: Mapped[str] = mapped_column(String(64), default="", server_default="")
