"""Address → point: the small interface the incident register needs of the address register
(``cic.addresses``, wired at application start). Without one, only coordinates are taken.
``Point`` is the address register's (``cic.addresses.service.Point``)."""

from __future__ import annotations

from typing import Protocol

from cic.addresses.service import Point

__all__ = ["Geocoder", "Point"]


class Geocoder(Protocol):
    """Finds the point of an address typed by an agent or a resident."""

    async def locate(self, text: str) -> Point | None:
        """The point of ``text``, or None when no address matches."""
        ...
