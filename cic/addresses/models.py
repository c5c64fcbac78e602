"""The address points table: one building number of a place (and street), where it stands.

Address points are public data (the national register publishes them); the folded columns
(``place_key``, ``street_key``, ``number_key``, ``search``) are what the geocoder compares.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from cic.db import Base, UTCDateTime, utcnow

KEY_LENGTH, NAME_LENGTH, NUMBER_LENGTH = 120, 100, 20


class AddressPoint(Base):
    """One address point: ``key`` the register's identifier (or place|street|number when the
    file has none), the names as written, the sołectwo it belongs to, WGS 84 degrees."""

    __tablename__ = "address_points"
    __table_args__ = (Index("ix_address_points_lookup", "number_key", "place_key"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(KEY_LENGTH), unique=True)
    place: Mapped[str] = mapped_column(String(NAME_LENGTH))
    street: Mapped[str] = mapped_column(String(NAME_LENGTH), default="")
    number: Mapped[str] = mapped_column(String(NUMBER_LENGTH))
    postcode: Mapped[str] = mapped_column(String(6), default="")
    solectwo: Mapped[str] = mapped_column(String(NAME_LENGTH), default="")
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    place_key: Mapped[str] = mapped_column(String(NAME_LENGTH))
    street_key: Mapped[str] = mapped_column(String(NAME_LENGTH), default="")
    number_key: Mapped[str] = mapped_column(String(NUMBER_LENGTH))
    search: Mapped[str] = mapped_column(String(3 * NAME_LENGTH), index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
