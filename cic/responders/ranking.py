""" "Send the nearest available": responders on duty now and available, nearest first.

Distance is the great-circle distance (haversine, mean Earth radius); equal distances are
ordered by the kinds as asked (then by name), so a sołtys and an OSP unit in the same village
come in the order the dispatcher chose.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from cic.responders.calendar import Calendar

EARTH_KM = 6371.0088
KINDS = ("soltys", "osp", "drogowcy", "dyzurny", "policja", "inny")
KIND_LABELS = {
    "soltys": "sołtys", "osp": "OSP", "drogowcy": "drogowcy", "dyzurny": "dyżurny urzędu",
    "policja": "policja (łącznik)", "inny": "inny",
}  # fmt: skip
AVAILABILITY = ("dostepny", "zajety", "niedostepny")
AVAILABILITY_LABELS = {"dostepny": "dostępny", "zajety": "zajęty", "niedostepny": "niedostępny"}


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle distance in kilometres between two points in degrees."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_KM * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class Candidate:
    """What ranking needs of a responder."""

    id: int
    name: str
    kind: str
    lat: float
    lon: float
    availability: str
    calendar: Calendar
    active: bool = True

    def available(self, at_local: datetime) -> bool:
        """Active, marked available and on duty at ``at_local``."""
        return self.active and self.availability == "dostepny" and self.calendar.on_duty(at_local)


@dataclass(frozen=True)
class Ranked:
    """A proposal: the responder and the distance in km (rounded to 10 m)."""

    candidate: Candidate
    km: float


def rank(
    candidates: Iterable[Candidate], lat: float, lon: float, kinds: Sequence[str],
    at_local: datetime, limit: int = 10,
) -> list[Ranked]:  # fmt: skip
    """Available responders of ``kinds`` (all kinds when empty), nearest first."""
    order = list(dict.fromkeys(kinds)) or list(KINDS)
    found = [
        Ranked(c, round(haversine_km(lat, lon, c.lat, c.lon), 2))
        for c in candidates
        if c.kind in order and c.available(at_local)
    ]
    found.sort(
        key=lambda r: (r.km, order.index(r.candidate.kind), r.candidate.name, r.candidate.id)
    )
    return found[:limit]
