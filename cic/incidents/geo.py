"""Pure geometry on WGS84 points (latitude, longitude in degrees), small enough for the map's
distances (a gmina, tens of kilometres): no I/O, no projections.

An *area* is a sequence of ``(lat, lon)`` points: two points are a bounding box (south-west
and north-east corners, in either order), three or more a polygon (closed implicitly).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

#: The mean Earth radius (IUGG), in metres.
EARTH_RADIUS_M = 6_371_008.8

Area = Sequence[Sequence[float]]


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle (haversine) distance between two points, in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def valid_point(lat: float, lon: float) -> bool:
    """True for a finite latitude in [-90, 90] and longitude in [-180, 180]."""
    return math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180


def inside_box(box: Area, lat: float, lon: float) -> bool:
    """True when the point lies in the box of two corners (edges included)."""
    (lat_a, lon_a), (lat_b, lon_b) = box[0], box[1]
    return min(lat_a, lat_b) <= lat <= max(lat_a, lat_b) and min(lon_a, lon_b) <= lon <= max(
        lon_a, lon_b
    )


def inside_polygon(polygon: Area, lat: float, lon: float) -> bool:
    """True when the point lies in the polygon (even-odd ray casting; a point exactly on an
    edge may fall either way, which at a gmina's border is metres)."""
    found = False
    count = len(polygon)
    for i in range(count):
        lat_i, lon_i = polygon[i][0], polygon[i][1]
        lat_j, lon_j = polygon[i - 1][0], polygon[i - 1][1]
        if (lon_i > lon) != (lon_j > lon):
            crossing = lat_i + (lon - lon_i) * (lat_j - lat_i) / (lon_j - lon_i)
            if lat < crossing:
                found = not found
    return found


def inside(area: Area, lat: float, lon: float) -> bool:
    """True when the point lies in ``area`` (a box of two corners or a polygon, see the
    module); an invalid point never does, and an empty area contains every valid point."""
    if not valid_point(lat, lon):
        return False
    if not area:
        return True
    if len(area) == 2:
        return inside_box(area, lat, lon)
    return inside_polygon(area, lat, lon)


def centre(area: Area) -> tuple[float, float]:
    """The middle of the area's extent (where the map opens)."""
    lats = [p[0] for p in area] or [52.0]
    lons = [p[1] for p in area] or [19.0]
    return (min(lats) + max(lats)) / 2, (min(lons) + max(lons)) / 2
