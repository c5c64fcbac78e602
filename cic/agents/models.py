"""Tables of the agents domain: agents, queues and queue membership (the departments they
belong to are ``cic.departments.models``)."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, false, func, true
from sqlalchemy.orm import Mapped, mapped_column, validates

from cic.db import Base, UTCDateTime, utcnow
from cic.departments.models import Department

USERNAME_RE = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,62})")


class Agent(Base):
    """A member of staff who takes calls; ``endpoint`` is the PJSIP endpoint of the softphone."""

    __tablename__ = "agents"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    endpoint: Mapped[str] = mapped_column(String(80), unique=True)
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey(Department.id, ondelete="SET NULL"), index=True
    )
    static_contact: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, server_default=func.now()
    )
    active: Mapped[bool] = mapped_column(default=True, server_default=true())

    @staticmethod
    def endpoint_for(username: str) -> str:
        """The PJSIP endpoint name of an agent: ``agent-<username>``."""
        return f"agent-{username}"

    @validates("username")
    def _check_username(self, _key: str, value: str) -> str:
        if not USERNAME_RE.fullmatch(value):
            raise ValueError("Login konsultanta: małe litery ASCII, cyfry i '-', do 63 znaków.")
        return value


class AgentStatus(Base):
    """What the office wants of an agent's presence: logged in, paused and why (one row each).

    Asterisk holds the live facts; this row lets them be re-applied after a restart.
    """

    __tablename__ = "agent_statuses"

    agent_id: Mapped[int] = mapped_column(
        ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True
    )
    logged_in: Mapped[bool] = mapped_column(default=False, server_default=false())
    paused: Mapped[bool] = mapped_column(default=False, server_default=false())
    pause_reason: Mapped[str] = mapped_column(String(60), default="", server_default="")
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AgentPresenceLog(Base):
    """One login or logout of an agent (the history ``agent_statuses`` does not keep), so the
    dashboard can tell how many agents were logged in hour by hour."""

    __tablename__ = "agent_presence_log"
    __table_args__ = (Index("ix_agent_presence_log_at", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    logged_in: Mapped[bool]


class Queue(Base):
    """An Asterisk queue, e.g. ``pierwsza-linia`` titled "Pierwsza linia"."""

    __tablename__ = "queues"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey(Department.id, ondelete="SET NULL"), index=True
    )
    strategy: Mapped[str] = mapped_column(String(32), default="rrmemory", server_default="rrmemory")


class QueueMembership(Base):
    """An agent's static membership of a queue, with its penalty."""

    __tablename__ = "queue_memberships"
    __table_args__ = (UniqueConstraint("queue_id", "agent_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    queue_id: Mapped[int] = mapped_column(ForeignKey("queues.id", ondelete="CASCADE"))
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), index=True)
    penalty: Mapped[int] = mapped_column(default=0, server_default="0")
