"""The incident register's pure parts: geometry, the status workflow, duplicate detection and
the photo check (Pillow on in-memory pictures)."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image

from cic.incidents import geo, photos
from cic.incidents.duplicates import Candidate, near, window
from cic.incidents.errors import BadPhoto, PhotoTooBig
from cic.incidents.workflow import MERGED, STATUSES, TRANSITIONS, can_move, is_open

BOX = [[50.0, 19.8], [50.2, 20.1]]
TRIANGLE = [[50.0, 19.8], [50.2, 19.8], [50.0, 20.1]]


def test_distance_of_a_known_pair() -> None:
    # Kraków market square to Wawel: about 1 km on the map.
    d = geo.distance_m(50.0617, 19.9373, 50.0540, 19.9352)
    assert 850 < d < 870
    assert geo.distance_m(50.0, 20.0, 50.0, 20.0) == 0
    assert geo.distance_m(0, 0, 0, 180) == pytest.approx(geo.EARTH_RADIUS_M * 3.14159265, 1e-6)


def test_inside_a_box_and_a_polygon() -> None:
    assert geo.inside(BOX, 50.1, 20.0)
    assert not geo.inside(BOX, 50.3, 20.0)
    assert geo.inside([[50.2, 20.1], [50.0, 19.8]], 50.1, 20.0)  # corners in any order
    assert geo.inside(TRIANGLE, 50.05, 19.85)
    assert not geo.inside(TRIANGLE, 50.18, 20.08)  # in the box, outside the triangle
    assert not geo.inside(BOX, float("nan"), 20.0)
    assert not geo.inside([], 91, 0)
    assert geo.inside([], 10, 10)


def test_centre_of_an_area() -> None:
    assert geo.centre(BOX) == pytest.approx((50.1, 19.95))


def test_workflow_allows_only_the_listed_moves() -> None:
    assert can_move("zgloszone", "przyjete")
    assert can_move("przyjete", "w_realizacji")
    assert can_move("w_realizacji", "usuniete")
    assert can_move("usuniete", "przyjete")  # reopened
    assert not can_move("zgloszone", MERGED)  # only a merge makes it
    assert not can_move(MERGED, "przyjete")
    assert not can_move("usuniete", "w_realizacji")
    assert not can_move("nieznany", "przyjete")
    for source, targets in TRANSITIONS.items():
        assert source in STATUSES and set(targets) <= set(STATUSES)
    assert is_open("w_realizacji") and not is_open("usuniete")


def test_duplicates_are_near_open_recent_and_of_the_same_category() -> None:
    now = datetime(2026, 12, 6, 12, tzinfo=UTC)
    since = window(now, 48)
    existing = [
        Candidate(1, 7, 50.1000, 20.0000, "zgloszone", now - timedelta(hours=1)),
        Candidate(2, 7, 50.1009, 20.0000, "przyjete", now - timedelta(hours=2)),  # ~100 m
        Candidate(3, 7, 50.1030, 20.0000, "zgloszone", now),  # ~330 m: too far
        Candidate(4, 8, 50.1000, 20.0000, "zgloszone", now),  # another category
        Candidate(5, 7, 50.1000, 20.0000, "usuniete", now),  # closed
        Candidate(6, 7, 50.1000, 20.0000, "zgloszone", now - timedelta(hours=49)),  # old
    ]
    found = near(existing, 7, 50.1000, 20.0000, metres=150, since=since, exclude=9)
    assert [i for i, _ in found] == [1, 2]
    assert found[0][1] == 0 and 95 < found[1][1] < 105
    assert near(existing, 7, 50.1, 20.0, metres=150, since=since, exclude=1)[0][0] == 2


def _picture(kind: str, exif: bool = False) -> bytes:
    image = Image.new("RGB", (40, 30), (200, 30, 30))
    out = io.BytesIO()
    if exif:
        data = Image.Exif()
        data[0x010F] = "Aparat Testowy"  # Make
        data[0x8825] = {2: (50.0, 3.0, 0.0)}  # GPSInfo: a latitude
        image.save(out, format=kind, exif=data)
    else:
        image.save(out, format=kind)
    return out.getvalue()


@pytest.mark.parametrize("kind", ["JPEG", "PNG", "WEBP"])
def test_photos_are_re_encoded_in_their_format(kind: str) -> None:
    cleaned, media_type = photos.clean(_picture(kind), 1024 * 1024)
    assert media_type == photos.FORMATS[kind]
    with Image.open(io.BytesIO(cleaned)) as back:
        assert back.format == kind and back.size == (40, 30)


def test_exif_and_gps_are_stripped() -> None:
    original = _picture("JPEG", exif=True)
    with Image.open(io.BytesIO(original)) as before:
        assert before.getexif()
    cleaned, _ = photos.clean(original, 1024 * 1024)
    with Image.open(io.BytesIO(cleaned)) as after:
        assert not after.getexif()
    assert b"Aparat Testowy" not in cleaned


def test_not_a_picture_or_too_big_is_refused() -> None:
    with pytest.raises(BadPhoto):
        photos.clean(b"%PDF-1.4 not a picture", 1024)
    with pytest.raises(BadPhoto):
        photos.clean(_picture("PNG")[:60], 1024 * 1024)  # truncated
    gif = io.BytesIO()
    Image.new("RGB", (4, 4)).save(gif, format="GIF")
    with pytest.raises(BadPhoto):
        photos.clean(gif.getvalue(), 1024 * 1024)
    with pytest.raises(PhotoTooBig, match="najwyżej"):
        photos.clean(b"x" * 2048, 1024)
    with pytest.raises(BadPhoto):
        photos.clean(b"", 1024)
