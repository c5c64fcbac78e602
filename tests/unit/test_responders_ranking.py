"""Send the nearest available, without I/O: the on-duty calendar's edges (midnight, a night
shift, "24:00", leave and extra duty, 24/7), availability, and the ranking by distance with
ties ordered by the kinds asked for."""

from __future__ import annotations

from datetime import datetime

import pytest

from cic.responders.calendar import (
    Calendar,
    CalendarError,
    DutyException,
    checked_exceptions,
    checked_weekly,
    interval,
)  # fmt: skip
from cic.responders.handlers import dispatch_of
from cic.responders.ranking import Candidate, haversine_km, rank

# Friday 4 December 2026 and the days around it
FRI = datetime(2026, 12, 4)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute)


def test_weekly_hours_include_the_start_and_exclude_the_end() -> None:
    office = Calendar(weekly={"fri": ["07:30-15:30"]})
    assert not office.on_duty(at(4, 7, 29))
    assert office.on_duty(at(4, 7, 30))
    assert office.on_duty(at(4, 15, 29))
    assert not office.on_duty(at(4, 15, 30))
    assert not office.on_duty(at(3, 10))  # Thursday: no hours


def test_a_night_shift_runs_past_midnight_into_the_next_day() -> None:
    night = Calendar(weekly={"fri": ["20:00-06:00"]})
    assert not night.on_duty(at(4, 19, 59))
    assert night.on_duty(at(4, 23, 59))
    assert night.on_duty(at(5, 0, 0))  # Saturday midnight: still Friday's shift
    assert night.on_duty(at(5, 5, 59))
    assert not night.on_duty(at(5, 6, 0))
    assert not night.on_duty(at(4, 3, 0))  # Friday early morning: Thursday had no shift


def test_a_whole_day_ends_at_24_00_and_the_next_day_starts_at_00_00() -> None:
    days = Calendar(weekly={"fri": ["00:00-24:00"], "sat": ["00:00-08:00"]})
    assert days.on_duty(at(4, 0, 0)) and days.on_duty(at(4, 23, 59))
    assert days.on_duty(at(5, 0, 0)) and not days.on_duty(at(5, 8, 0))
    assert not days.on_duty(at(3, 23, 59))


def test_leave_wins_over_everything_and_extra_duty_over_the_weekly_hours() -> None:
    leave = DutyException("wolne", at(4, 12), at(6, 0))
    extra = DutyException("dyzur", at(5, 22), at(6, 2))
    osp = Calendar(always=True, exceptions=[leave])
    assert osp.on_duty(at(4, 11, 59)) and not osp.on_duty(at(4, 12))
    assert not osp.on_duty(at(5, 23, 59)) and osp.on_duty(at(6, 0))  # the end is excluded
    soltys = Calendar(weekly={"mon": ["08:00-16:00"]}, exceptions=[extra])
    assert soltys.on_duty(at(5, 23)) and soltys.on_duty(at(6, 1, 59))
    assert not soltys.on_duty(at(6, 2))
    both = Calendar(always=True, exceptions=[extra, DutyException("wolne", at(5, 23), at(6, 1))])
    assert both.on_duty(at(5, 22, 30)) and not both.on_duty(at(5, 23, 30))


@pytest.mark.parametrize(
    "bad",
    ["7:30-15:30", "07:30-07:30", "25:00-26:00", "07:60-08:00", "24:00-06:00", "24:30-06:00",
     "'; DROP TABLE responders; --", "", "07:30 - 15:30"],
)  # fmt: skip
def test_bad_hours_are_refused_in_polish(bad: str) -> None:
    with pytest.raises(CalendarError, match=r"godzin|godzina|początek"):
        interval(bad)


def test_bad_calendars_are_refused_in_polish() -> None:
    assert checked_weekly({"mon": ["08:00-16:00"], "sun": []}) == {"mon": ["08:00-16:00"]}
    for weekly, says in (({"poniedzialek": []}, "Nieznany dzień"), ([1], "obiekt"),
                         ({"mon": "08:00-16:00"}, "lista"), ({"mon": [8]}, "tekst")):  # fmt: skip
        with pytest.raises(CalendarError, match=says):
            checked_weekly(weekly)
    for exceptions, says in (
        ([{"kind": "urlop", "start": "2026-12-24", "end": "2026-12-25"}], "rodzaj"),
        ([{"kind": "wolne", "start": "jutro", "end": "2026-12-25"}], "data i godzina"),
        ([{"kind": "dyzur", "start": "2026-12-25T10:00", "end": "2026-12-25T09:00"}],
         "po początku"),
        ([{"kind": "wolne", "start": "2026-01-01T00:00", "end": "2028-01-01T00:00"}], "rok"),
        ("wolne", "lista"),
    ):  # fmt: skip
        with pytest.raises(CalendarError, match=says):
            checked_exceptions(exceptions)


def person(ident: int, kind: str, lat: float, lon: float, *, availability: str = "dostepny",
           calendar: Calendar | None = None, active: bool = True) -> Candidate:  # fmt: skip
    return Candidate(ident, f"R{ident}", kind, lat, lon, availability,
                     calendar or Calendar(always=True), active)  # fmt: skip


def test_haversine_against_a_known_distance() -> None:
    # one degree of latitude on the mean sphere: 2 * pi * 6371.0088 / 360
    assert haversine_km(52.0, 21.0, 53.0, 21.0) == pytest.approx(111.195, abs=0.001)
    assert haversine_km(52.4, 20.9, 52.4, 20.9) == 0.0
    # Warsaw (Palace of Culture) to Kraków (Main Square): about 252 km
    assert haversine_km(52.2318, 21.0060, 50.0617, 19.9373) == pytest.approx(252, abs=2)


def test_the_nearest_available_on_duty_comes_first() -> None:
    people = [
        person(1, "osp", 52.40, 20.95),  # ~3.39 km
        person(2, "soltys", 52.40, 20.91),  # ~0.7 km, busy
        person(3, "soltys", 52.40, 20.92, calendar=Calendar(weekly={"mon": ["08:00-16:00"]})),
        person(4, "drogowcy", 52.42, 20.90),  # ~2.2 km
        person(5, "dyzurny", 52.40, 20.901, active=False),
        person(6, "policja", 52.45, 20.90, availability="niedostepny"),
    ]
    people[1] = person(2, "soltys", 52.40, 20.91, availability="zajety")
    ranked = rank(people, 52.40, 20.90, [], at(4, 20))
    assert [(r.candidate.id, r.km) for r in ranked] == [(4, 2.22), (1, 3.39)]
    assert [r.candidate.id for r in rank(people, 52.40, 20.90, ["osp"], at(4, 20))] == [1]
    assert rank(people, 52.40, 20.90, ["dyzurny", "policja"], at(4, 20)) == []
    assert len(rank(people, 52.40, 20.90, [], at(4, 20), limit=1)) == 1


def test_ties_are_ordered_by_the_kinds_asked_for() -> None:
    same = [person(1, "soltys", 52.41, 20.90), person(2, "osp", 52.41, 20.90),
            person(3, "drogowcy", 52.41, 20.90)]  # fmt: skip
    assert [r.candidate.kind for r in rank(same, 52.40, 20.90, ["osp", "soltys"], FRI)] == [
        "osp", "soltys",
    ]  # fmt: skip
    assert [r.candidate.kind for r in rank(same, 52.40, 20.90, [], FRI)] == [
        "soltys", "osp", "drogowcy",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("batch", "expected"),
    [("dispatch:12", 12), ("warning:12", None), ("dispatch:", None), ("dispatch:1x", None),
     ("dispatch:²", None), ("dispatch:" + "9" * 20, None), (None, None), (12, None)],
)  # fmt: skip
def test_only_dispatch_batches_are_acknowledged(batch: object, expected: int | None) -> None:
    assert dispatch_of(batch) == expected
