"""The table of the departments domain: the office's departments (komórki organizacyjne)."""

from __future__ import annotations

from sqlalchemy import String, Text, true
from sqlalchemy.orm import Mapped, mapped_column

from cic.db import Base


class Department(Base):
    """A unit of the office (komórka organizacyjna), e.g. code ``FN`` for finances.

    ``hours`` is JSON text like ``office.hours``; ``None`` means the office's hours apply.
    Agents and queues belong to a department by ``departments.id`` (``cic.agents.models``).
    """

    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    hours: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True, server_default=true())
