"""What every drill-down shares: the request (period, part filter, page), the paging query
and the checks of a part's value."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from cic.config import DashboardSettings
from cic.dashboard.period import Period
from cic.dashboard.schemas import DrillRow

JRWA_SYMBOL = re.compile(r"^\d{1,4}$")
SLUG = re.compile(r"^[a-z0-9_-]{1,64}$")
MAX_TOPIC = 200
Rows = tuple[list[DrillRow], int]
Conditions = list[ColumnElement[bool]]


@dataclass(frozen=True)
class Ask:
    """What is asked for: the period, the part filter, the page and the settings."""

    period: Period
    part: str | None
    limit: int
    offset: int
    settings: DashboardSettings


def split(part: str, prefix: str) -> str | None:
    """The value of a part filter ``prefix<value>``, or None when it has another prefix."""
    return part[len(prefix) :] if part.startswith(prefix) else None


def page(
    session: Session, query: Select[*tuple[Any, ...]], where: Conditions, ask: Ask
) -> tuple[list[Any], int]:
    """The rows of ``query`` matching ``where`` for the asked page, and how many match."""
    matching = query.where(*where)
    total = session.scalar(select(func.count()).select_from(matching.order_by(None).subquery()))
    rows = session.execute(matching.limit(ask.limit).offset(ask.offset)).all()
    return list(rows), int(total or 0)


def iso(value: date | datetime | None) -> str:
    """A date or time as ISO 8601 ("" when there is none)."""
    return "" if value is None else value.isoformat()
