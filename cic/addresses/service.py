"""The geocoder: what an agent or a resident types ("Lipowa 5, Dębówka", "ul. Lipowa 5
Dębówka", "Dębówka 12") becomes an address point, and suggestions while typing.

The building number is the word that looks like one; the other words must be exactly the
place's and the street's words, in any order (so "Dębówka Lipowa 5" is found too, and
"Lipowa 5" alone is found when only one place has that street and number).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from cic.addresses.models import AddressPoint
from cic.addresses.words import NUMBER, house_number, words
from cic.db import Store

MAX_TEXT = 200
MAX_SUGGESTIONS = 20


@dataclass(frozen=True)
class Point:
    """A place on the map: WGS 84 degrees, the address as shown, its sołectwo."""

    lat: float
    lon: float
    label: str
    solectwo: str = ""

    def as_dict(self) -> dict[str, Any]:
        """JSON for the API."""
        return {"lat": self.lat, "lon": self.lon, "label": self.label, "solectwo": self.solectwo}


def label_of(row: AddressPoint) -> str:
    """ "Lipowa 5, Dębówka" or "Dębówka 12" (a village without streets)."""
    if row.street:
        return f"{row.street} {row.number}, {row.place}"
    return f"{row.place} {row.number}"


def _point(row: AddressPoint) -> Point:
    return Point(row.lat, row.lon, label_of(row), row.solectwo)


def usable(text: Any) -> bool:
    """Whether ``text`` can be an address at all (a printable string of at most ``MAX_TEXT``
    characters); anything else is simply not found."""
    return isinstance(text, str) and len(text) <= MAX_TEXT and text.isprintable()


class AddressBook:
    """The geocoder and the suggestions over the stored address points (implements the
    incidents' ``Geocoder`` protocol: ``locate(text) -> Point | None``)."""

    def __init__(self, store: Store) -> None:
        """Keep the store."""
        self.store = store

    async def locate(self, text: str) -> Point | None:
        """The point of the typed address, or ``None`` when the register has no such one (or
        more than one place fits equally and the text does not say which)."""
        if not usable(text):
            return None
        typed = words(text)
        numbers = [w for w in typed if NUMBER.match(w)]
        if len(numbers) != 1:
            return None
        number = house_number(numbers[0])
        rest = sorted(w for w in typed if w != numbers[0])
        if not rest:
            return None

        def read(session: Session) -> Point | None:
            rows = session.scalars(
                select(AddressPoint).where(AddressPoint.number_key == number)
            ).all()
            exact = [r for r in rows if sorted(f"{r.street_key} {r.place_key}".split()) == rest]
            if len(exact) == 1:
                return _point(exact[0])
            if exact:
                return None
            streets = [r for r in rows if r.street_key and sorted(r.street_key.split()) == rest]
            return _point(streets[0]) if len(streets) == 1 else None

        return await self.store.run(read)

    async def suggest(self, text: str, limit: int = 10) -> list[Point]:
        """Address points whose words start with every typed word ("lip 5 deb"), at most
        ``limit``, in the order of place, street and number."""
        if not usable(text):
            return []
        typed = words(text)[:6]
        if not typed or len("".join(typed)) < 2:
            return []
        limit = max(1, min(limit, MAX_SUGGESTIONS))

        def read(session: Session) -> list[Point]:
            conditions = [
                AddressPoint.search.like(f"{w}%") | AddressPoint.search.like(f"% {w}%")
                for w in typed
            ]
            rows = session.scalars(
                select(AddressPoint)
                .where(and_(*conditions))
                .order_by(AddressPoint.place_key, AddressPoint.street_key, AddressPoint.number_key)
                .limit(200)
            ).all()
            ordered = sorted(
                rows, key=lambda r: (r.place_key, r.street_key, _numeric(r.number_key))
            )
            return [_point(r) for r in ordered[:limit]]

        return await self.store.run(read)


def _numeric(number: str) -> tuple[int, str]:
    digits = "".join(c for c in number if c.isdigit())
    return (int(digits) if digits else 0, number)
