"""Tables of the incident register: the threat catalogue, incidents, their history and their
links to calls and contact reports.

Lists (a category's responder kinds) are JSON text: short, read whole, never searched.
Coordinates are WGS84 degrees as floats; distances are computed in Python
(:mod:`cic.incidents.geo`) over the few open incidents of one category.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cic.db import Base, UTCDateTime, utcnow


class ThreatCategory(Base):
    """A kind of threat: what the staff do (``instructions``), whom to notify (``notify``: a
    JSON list of responder kinds such as ``osp`` or ``drogowcy``), the default priority of
    a new incident, whether it is offered for new incidents."""

    __tablename__ = "threat_categories"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    instructions: Mapped[str] = mapped_column(Text, default="", server_default="")
    notify: Mapped[str] = mapped_column(Text, default="[]", server_default="[]")
    priority: Mapped[str] = mapped_column(String(16), default="sredni", server_default="sredni")
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")


class Incident(Base):
    """One reported threat at a point. ``reporter_name``/``reporter_phone`` are personal data
    (optional); ``photo_sha256`` names the re-encoded photo in the private store;
    ``merged_into`` is the main incident of a duplicate (status ``polaczone``)."""

    __tablename__ = "incidents"
    __table_args__ = (Index("ix_incidents_open", "category_id", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    category_id: Mapped[int] = mapped_column(
        ForeignKey("threat_categories.id", ondelete="RESTRICT")
    )
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    address: Mapped[str] = mapped_column(String(300), default="", server_default="")
    solectwo: Mapped[str] = mapped_column(String(200), default="", server_default="")
    priority: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="zgloszone", server_default="zgloszone")
    source: Mapped[str] = mapped_column(String(16))
    reporter_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    reporter_phone: Mapped[str] = mapped_column(String(40), default="", server_default="")
    photo_sha256: Mapped[str] = mapped_column(String(64), default="", server_default="")
    photo_type: Mapped[str] = mapped_column(String(32), default="", server_default="")
    merged_into: Mapped[int | None] = mapped_column(
        ForeignKey("incidents.id", ondelete="SET NULL"), nullable=True, index=True
    )
    created_by: Mapped[str] = mapped_column(String(64), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class IncidentEvent(Base):
    """One change of an incident: who (``actor``: a username, ``portal`` or ``system``), when,
    what (``kind``: utworzone, stan, priorytet, polaczenie, powiazanie...) and a Polish
    ``detail``."""

    __tablename__ = "incident_events"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(Text, default="", server_default="")


class IncidentLink(Base):
    """A call (``call_id``, Asterisk's linkedid) or a contact report (``report_id``) about
    an incident; each at most once per incident."""

    __tablename__ = "incident_links"
    __table_args__ = (UniqueConstraint("incident_id", "kind", "ref"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    ref: Mapped[str] = mapped_column(String(64), index=True)
    added_by: Mapped[str] = mapped_column(String(64), default="", server_default="")
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
