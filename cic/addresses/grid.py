"""The Polish grid (PUWG 1992, EPSG:2180) to WGS 84 latitude and longitude, with pyproj.

The register writes a point as ``x`` (northing) and ``y`` (easting), as Polish geodesy does;
GIS tools often say the opposite, so the names here are explicit.
"""

from __future__ import annotations

from functools import cache

from pyproj import Transformer

#: Poland's extent with a margin (latitude, longitude): a point outside it is a wrong column.
POLAND = (48.9, 14.0, 55.0, 24.3)


@cache
def _to_wgs84() -> Transformer:
    return Transformer.from_crs("EPSG:2180", "EPSG:4326", always_xy=True)


def puwg1992_to_wgs84(northing: float, easting: float) -> tuple[float, float]:
    """``(lat, lon)`` in degrees of the point ``x=northing, y=easting`` in EPSG:2180."""
    lon, lat = _to_wgs84().transform(easting, northing)
    return float(lat), float(lon)


def in_poland(lat: float, lon: float) -> bool:
    """True when the point lies within Poland's extent (with a small margin)."""
    south, west, north, east = POLAND
    return south <= lat <= north and west <= lon <= east
