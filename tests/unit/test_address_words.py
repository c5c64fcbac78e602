"""Address folding and the Polish grid: what agents type compared without case, Polish
letters or street prefixes; EPSG:2180 checked against the projection's definition."""

from __future__ import annotations

import math

import pytest

from cic.addresses.grid import in_poland, puwg1992_to_wgs84
from cic.addresses.words import fold, house_number, words


def test_folding_and_prefixes() -> None:
    assert fold("UL. Źródlana 5, Łąka") == "ul zrodlana 5 laka"
    assert words("ul. Lipowa 5, Dębówka") == ["lipowa", "5", "debowka"]
    assert words("al.Jana Pawła II 3") == ["jana", "pawla", "ii", "3"]
    assert words("os. Słoneczne 12A") == ["sloneczne", "12a"]
    assert words("'; DROP TABLE x; --") == ["drop", "table", "x"]
    assert house_number("12A/3") == "12a" and house_number(" 7 ") == "7"


def _meridian_arc(lat: float) -> float:
    """GRS 80 meridian arc length from the equator (Helmert's series), metres."""
    a, f = 6378137.0, 1 / 298.257222101
    n = f / (2 - f)
    phi = math.radians(lat)
    return (
        a
        / (1 + n)
        * (
            (1 + n**2 / 4 + n**4 / 64) * phi
            - 1.5 * (n - n**3 / 8) * math.sin(2 * phi)
            + 15 / 16 * (n**2 - n**4 / 4) * math.sin(4 * phi)
            - 35 / 48 * n**3 * math.sin(6 * phi)
        )
    )


@pytest.mark.parametrize("lat", [49.5, 52.0, 54.5])
def test_points_on_the_central_meridian(lat: float) -> None:
    # PUWG 1992: transverse Mercator, central meridian 19° E, scale 0.9993,
    # false easting 500 000 m, false northing -5 300 000 m
    northing = 0.9993 * _meridian_arc(lat) - 5_300_000
    got_lat, got_lon = puwg1992_to_wgs84(northing, 500_000)
    assert got_lon == pytest.approx(19.0, abs=1e-9)
    assert got_lat == pytest.approx(lat, abs=1e-7)


def test_a_point_off_the_meridian_and_the_extent() -> None:
    lat, lon = puwg1992_to_wgs84(505484.38, 629225.44)  # the sample gmina's centre
    assert (lat, lon) == (pytest.approx(52.4, abs=1e-6), pytest.approx(20.9, abs=1e-6))
    assert in_poland(lat, lon)
    assert not in_poland(48.0, 20.0) and not in_poland(52.0, 25.0)
