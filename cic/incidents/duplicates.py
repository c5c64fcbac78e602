"""Duplicate reports: open incidents of the same category near a new one (pure, no I/O)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from cic.incidents.geo import distance_m
from cic.incidents.workflow import is_open


@dataclass(frozen=True)
class Candidate:
    """What duplicate detection needs of an existing incident."""

    id: int
    category_id: int
    lat: float
    lon: float
    status: str
    created_at: datetime


def near(
    existing: Iterable[Candidate], category_id: int, lat: float, lon: float, *,
    metres: float, since: datetime, exclude: int | None = None,
) -> list[tuple[int, float]]:  # fmt: skip
    """``(id, distance in metres)`` of the open incidents of ``category_id`` created at or
    after ``since`` within ``metres`` of the point, nearest first."""
    found = [
        (c.id, distance_m(lat, lon, c.lat, c.lon))
        for c in existing
        if c.category_id == category_id and is_open(c.status) and c.created_at >= since
        and c.id != exclude
    ]  # fmt: skip
    return sorted(((i, d) for i, d in found if d <= metres), key=lambda pair: (pair[1], pair[0]))


def window(now: datetime, hours: int) -> datetime:
    """The earliest creation time a duplicate may have."""
    return now - timedelta(hours=hours)
