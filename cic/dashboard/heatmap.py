"""Calls offered to the queues by weekday and hour, in the office's zone (the heat map).

A call is counted at the local weekday and hour it reached the number (``entered_at``), as
every other measure of the period counts it; calls not offered to a queue (straight to an
agent, after hours) are not counted. The times are read once and binned in memory, because
SQLite and PostgreSQL name the hour of a zoned time differently.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from cic.calls.models import Call
from cic.dashboard.centre_calls import in_period, offered
from cic.dashboard.period import Period

WEEKDAYS_PL = ("pon", "wt", "śr", "czw", "pt", "sob", "niedz")


@dataclass(frozen=True)
class Heatmap:
    """``cells[weekday][hour]``: calls offered (Monday = 0, hours 0-23); ``max`` the largest
    cell (0 for an empty period, so a page can scale colours by it)."""

    cells: tuple[tuple[int, ...], ...]
    max: int
    total: int
    weekdays: tuple[str, ...] = WEEKDAYS_PL


def heatmap(session: Session, period: Period, queue: str | None = None) -> Heatmap:
    """The heat map of ``period`` (of one queue when ``queue`` is given)."""
    zone = ZoneInfo(period.zone)
    stmt = select(Call.entered_at).where(in_period(period), offered())
    if queue is not None:
        stmt = stmt.where(Call.queue == queue)
    grid = [[0] * 24 for _ in range(7)]
    for at in session.scalars(stmt):
        if at is None:
            continue
        local = at.astimezone(zone)
        grid[local.weekday()][local.hour] += 1
    cells = tuple(tuple(row) for row in grid)
    return Heatmap(cells, max(max(row) for row in cells), sum(map(sum, cells)))
