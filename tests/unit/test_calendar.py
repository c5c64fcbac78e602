"""OfficeCalendar: hours, Polish public holidays, closed days, DST."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from cic.config import OfficeSettings
from cic.routing.calendar import OfficeCalendar, parse_interval
from cic.routing.errors import OfficeCalendarError

WAW = ZoneInfo("Europe/Warsaw")
WEEKDAYS_8_16 = {d: ["08:00-16:00"] for d in ("mon", "tue", "wed", "thu", "fri")}


def office(**changes: object) -> OfficeSettings:
    hours = changes.pop("hours", {**WEEKDAYS_8_16, "sat": [], "sun": []})
    return OfficeSettings(hours=hours, **changes)  # type: ignore[arg-type]


def local(year: int, month: int, day: int, hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=WAW)


@pytest.fixture
def cal() -> OfficeCalendar:
    return OfficeCalendar(office())


def test_wigilia_2026_is_a_holiday(cal: OfficeCalendar) -> None:
    state = cal.is_open(local(2026, 12, 24, 10, 0))
    assert not state.open
    assert state.reason == "closed_holiday"
    assert state.holiday == "Wigilia Bożego Narodzenia"
    # 25 Fri and 26 Sat are holidays, 27 is a Sunday
    assert state.next_open == local(2026, 12, 28, 8, 0)


def test_wigilia_is_a_holiday_from_2025_only(cal: OfficeCalendar) -> None:
    assert cal.holiday(date(2025, 12, 24)) == "Wigilia Bożego Narodzenia"
    assert cal.holiday(date(2024, 12, 24)) == ""
    assert cal.is_open(local(2024, 12, 24, 10, 0)).open


def test_independence_day(cal: OfficeCalendar) -> None:
    state = cal.is_open(local(2026, 11, 11, 9, 0))
    assert (state.open, state.reason) == (False, "closed_holiday")
    assert "Święto Niepodległości" in state.holiday
    assert state.next_open == local(2026, 11, 12, 8, 0)


def test_easter_monday_2027_right_after_the_dst_change(cal: OfficeCalendar) -> None:
    state = cal.is_open(datetime(2027, 3, 29, 9, 0, tzinfo=UTC))
    assert (state.reason, state.holiday) == ("closed_holiday", "Poniedziałek Wielkanocny")
    assert state.next_open == local(2027, 3, 30, 8, 0)
    assert state.next_open is not None
    assert state.next_open.utcoffset() == WAW.utcoffset(datetime(2027, 7, 1))  # CEST, +02:00


def test_saturday_is_closed_hours(cal: OfficeCalendar) -> None:
    state = cal.is_open(local(2026, 11, 28, 10, 0))
    assert (state.open, state.reason, state.holiday) == (False, "closed_hours", "")
    assert state.next_open == local(2026, 11, 30, 8, 0)


def test_monday_0759_closed_0800_open(cal: OfficeCalendar) -> None:
    before = cal.is_open(local(2026, 11, 30, 7, 59, 59))
    assert (before.open, before.reason) == (False, "closed_hours")
    assert before.next_open == local(2026, 11, 30, 8, 0)
    at = cal.is_open(local(2026, 11, 30, 8, 0))
    assert (at.open, at.reason, at.next_open) == (True, "open", None)
    assert at.closes_at == local(2026, 11, 30, 16, 0)


def test_interval_end_is_exclusive(cal: OfficeCalendar) -> None:
    assert cal.is_open(local(2026, 11, 30, 15, 59, 59)).open
    end = cal.is_open(local(2026, 11, 30, 16, 0))
    assert (end.open, end.next_open) == (False, local(2026, 12, 1, 8, 0))


def test_input_in_another_zone_is_converted(cal: OfficeCalendar) -> None:
    new_york = ZoneInfo("America/New_York")
    # 02:00 in New York is 08:00 in Warsaw (both on standard time)
    assert cal.is_open(datetime(2026, 11, 30, 2, 0, tzinfo=new_york)).open
    assert not cal.is_open(datetime(2026, 11, 30, 1, 59, tzinfo=new_york)).open


def test_naive_datetime_is_rejected(cal: OfficeCalendar) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        cal.is_open(datetime(2026, 11, 30, 10, 0))


@pytest.mark.parametrize(
    ("utc", "is_open"),
    [
        # Friday before the spring change: CET, 08:00 local is 07:00 UTC
        (datetime(2026, 3, 27, 6, 59, tzinfo=UTC), False),
        (datetime(2026, 3, 27, 7, 0, tzinfo=UTC), True),
        # Monday after it: CEST, 08:00 local is 06:00 UTC
        (datetime(2026, 3, 30, 5, 59, tzinfo=UTC), False),
        (datetime(2026, 3, 30, 6, 0, tzinfo=UTC), True),
        # Friday before the autumn change (CEST) and Monday after it (CET)
        (datetime(2026, 10, 23, 13, 59, tzinfo=UTC), True),
        (datetime(2026, 10, 23, 14, 0, tzinfo=UTC), False),
        (datetime(2026, 10, 26, 6, 59, tzinfo=UTC), False),
        (datetime(2026, 10, 26, 7, 0, tzinfo=UTC), True),
    ],
)
def test_weekday_hours_follow_wall_clock_across_dst(
    cal: OfficeCalendar, utc: datetime, is_open: bool
) -> None:
    assert cal.is_open(utc).open is is_open


def test_next_open_across_dst_changes(cal: OfficeCalendar) -> None:
    spring = cal.is_open(local(2026, 3, 27, 16, 30)).next_open
    assert spring == datetime(2026, 3, 30, 6, 0, tzinfo=UTC)
    autumn = cal.is_open(local(2026, 10, 23, 16, 30)).next_open
    assert autumn == datetime(2026, 10, 26, 7, 0, tzinfo=UTC)


def test_sunday_hours_on_the_spring_change_day() -> None:
    # 2026-03-29: 02:00 CET jumps to 03:00 CEST; 02:30 does not exist that day
    cal = OfficeCalendar(office(hours={"sun": ["02:30-05:00"]}))
    before = cal.is_open(datetime(2026, 3, 29, 0, 30, tzinfo=UTC))  # 01:30 CET
    assert not before.open
    assert before.next_open == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 03:30 CEST
    assert cal.is_open(datetime(2026, 3, 29, 1, 30, tzinfo=UTC)).open
    assert not cal.is_open(datetime(2026, 3, 29, 3, 0, tzinfo=UTC)).open  # 05:00 CEST


def test_sunday_hours_on_the_autumn_change_day() -> None:
    # 2026-10-25: 02:00-03:00 happens twice (CEST, then CET); both are open
    cal = OfficeCalendar(office(hours={"sun": ["02:00-03:00"]}))
    assert cal.is_open(datetime(2026, 10, 25, 0, 30, tzinfo=UTC)).open  # 02:30 CEST
    assert cal.is_open(datetime(2026, 10, 25, 1, 30, tzinfo=UTC)).open  # 02:30 CET
    assert not cal.is_open(datetime(2026, 10, 25, 2, 0, tzinfo=UTC)).open  # 03:00 CET


def test_two_intervals_per_day() -> None:
    cal = OfficeCalendar(office(hours={"mon": ["13:00-17:00", "08:00-12:00"]}))
    morning = cal.is_open(local(2026, 11, 30, 11, 59))
    assert (morning.open, morning.closes_at) == (True, local(2026, 11, 30, 12, 0))
    lunch = cal.is_open(local(2026, 11, 30, 12, 0))
    assert (lunch.open, lunch.reason) == (False, "closed_hours")
    assert lunch.next_open == local(2026, 11, 30, 13, 0)
    assert cal.is_open(local(2026, 11, 30, 13, 0)).open
    evening = cal.is_open(local(2026, 11, 30, 17, 0))
    assert evening.next_open == local(2026, 12, 7, 8, 0)


def test_overlapping_intervals_merge_and_midnight_end() -> None:
    cal = OfficeCalendar(office(hours={"fri": ["08:00-12:00", "11:00-24:00"]}))
    state = cal.is_open(local(2026, 11, 27, 9, 0))
    assert state.closes_at == local(2026, 11, 28, 0, 0)
    assert cal.is_open(local(2026, 11, 27, 23, 59)).open


@pytest.mark.parametrize("closed", ["2026-11-10", date(2026, 11, 10)])
def test_closed_day(closed: object) -> None:
    cal = OfficeCalendar(office(closed_days=[closed]))
    state = cal.is_open(local(2026, 11, 10, 10, 0))
    assert (state.open, state.reason, state.holiday) == (False, "closed_day", "")
    assert state.next_open == local(2026, 11, 12, 8, 0)  # the 11th is a holiday


def test_never_open_office_has_no_next_opening() -> None:
    state = OfficeCalendar(office(hours={})).is_open(local(2026, 11, 30, 10, 0))
    assert (state.open, state.next_open) == (False, None)


def test_default_settings_parse() -> None:
    cal = OfficeCalendar(OfficeSettings())
    assert cal.is_open(local(2026, 11, 30, 8, 0)).open
    assert cal.is_open(local(2026, 12, 1, 7, 30)).open


@pytest.mark.parametrize(
    "bad", ["8:00-16:00", "08:00-25:00", "16:00-08:00", "08:00-08:00", "08:60-09:00", "abc", ""]
)
def test_bad_interval_names_the_value(bad: str) -> None:
    with pytest.raises(OfficeCalendarError) as err:
        OfficeCalendar(office(hours={"mon": [bad]}))
    assert repr(bad) in str(err.value)
    assert "office.hours.mon" in str(err.value)


def test_parse_interval() -> None:
    assert parse_interval("07:30-15:30") == (450, 930)
    assert parse_interval(" 08:00 - 24:00 ") == (480, 1440)


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"hours": {"poniedzialek": ["08:00-16:00"]}}, "poniedzialek"),
        ({"hours": {"mon": 8}}, "8"),
        ({"closed_days": ["jutro"]}, "'jutro'"),
        ({"timezone": "Europe/Warszawa"}, "Europe/Warszawa"),
        ({"holidays_country": "XX"}, "'XX'"),
    ],
)
def test_bad_settings_name_the_value(changes: dict[str, object], fragment: str) -> None:
    with pytest.raises(OfficeCalendarError, match=fragment):
        OfficeCalendar(office(**changes))
