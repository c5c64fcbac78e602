"""Address → point: the small interface the incident register needs of the address register
(``cic.addresses``, wired at application start). Without one, only coordinates are taken."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Point:
    """A located address: WGS84 ``lat``/``lon``, the address as the register writes it
    (``label``) and its sołectwo (empty when not known)."""

    lat: float
    lon: float
    label: str
    solectwo: str = ""


class Geocoder(Protocol):
    """Finds the point of an address typed by an agent or a resident."""

    async def locate(self, text: str) -> Point | None:
        """The point of ``text``, or None when no address matches."""
        ...
