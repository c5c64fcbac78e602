"""The dashboard's period: parsing the page's parameters (Polish errors), the previous period,
calendar months (January's previous is December, February in a leap year) and the UTC bounds
across the changes between winter and summer time."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from cic.dashboard.errors import InvalidPeriod
from cic.dashboard.period import MAX_DAYS, Period, month, parse

TODAY = date(2026, 3, 17)


def test_a_month_parameter_gives_the_calendar_month() -> None:
    got = parse({"miesiac": "2026-02"}, TODAY)
    assert (got.first, got.last, got.month, got.days) == (
        date(2026, 2, 1),
        date(2026, 2, 28),
        True,
        28,
    )
    assert got.label() == "luty 2026" and got.query() == "miesiac=2026-02"


def test_february_of_a_leap_year_has_29_days() -> None:
    leap = month(2028, 2)
    assert (leap.last, leap.days) == (date(2028, 2, 29), 29)
    assert month(2028, 3).previous() == leap


def test_the_month_before_january_is_december_of_the_year_before() -> None:
    previous = month(2026, 1).previous()
    assert (previous.first, previous.last, previous.month) == (
        date(2025, 12, 1),
        date(2025, 12, 31),
        True,
    )
    assert previous.label() == "grudzień 2025"
    assert month(2026, 3).previous().days == 28  # the calendar month, not 31 days back


def test_days_given_by_od_and_do_and_the_same_number_of_days_before() -> None:
    got = parse({"od": "2026-03-10", "do": "2026-03-16"}, TODAY)
    assert (got.first, got.last, got.month, got.days) == (
        date(2026, 3, 10),
        date(2026, 3, 16),
        False,
        7,
    )
    before = got.previous()
    assert (before.first, before.last) == (date(2026, 3, 3), date(2026, 3, 9))
    assert got.label() == "10.03.2026–16.03.2026"
    assert got.query() == "od=2026-03-10&do=2026-03-16"
    assert len(got.day_list()) == 7 and got.day_list()[-1] == date(2026, 3, 16)


def test_nothing_asked_is_this_month_so_far() -> None:
    got = parse({}, TODAY)
    assert (got.first, got.last, got.month) == (date(2026, 3, 1), TODAY, False)
    only_first = parse({"od": "2026-03-05"}, TODAY)
    assert (only_first.first, only_first.last) == (date(2026, 3, 5), TODAY)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"miesiac": "03-2026"}, "miesiąc podaj jako RRRR-MM"),
        ({"miesiac": "2026-13"}, "miesiąc musi być liczbą od 1 do 12"),
        ({"miesiac": "2026-00"}, "miesiąc musi być liczbą od 1 do 12"),
        ({"od": "10.03.2026"}, "datę podaj jako RRRR-MM-DD"),
        ({"od": "2026-03-10", "do": "2026-02-30"}, "datę podaj jako RRRR-MM-DD"),
        ({"od": "2026-03-10", "do": "2026-03-01"}, "koniec okresu jest przed jego początkiem"),
        ({"od": "2000-01-01", "do": "2026-01-01"}, f"okres może mieć najwyżej {MAX_DAYS} dni"),
    ],
)
def test_a_wrong_period_is_refused_in_polish(params: dict[str, str], message: str) -> None:
    with pytest.raises(InvalidPeriod) as caught:
        parse(params, TODAY)
    assert message in str(caught.value)
    assert caught.value.status == 400 and caught.value.error_id == "invalid_period"


def test_bounds_follow_winter_and_summer_time() -> None:
    # March 2026: starts at UTC+1, ends at UTC+2 (summer time from 29.03 02:00).
    start, end = month(2026, 3).bounds()
    assert (start, end) == (
        datetime(2026, 2, 28, 23, tzinfo=UTC),
        datetime(2026, 3, 31, 22, tzinfo=UTC),
    )
    # October 2026: starts at UTC+2, ends at UTC+1 (winter time from 25.10 03:00).
    start, end = month(2026, 10).bounds()
    assert (start, end) == (
        datetime(2026, 9, 30, 22, tzinfo=UTC),
        datetime(2026, 10, 31, 23, tzinfo=UTC),
    )
    # The day of the change to summer time has 23 hours, the change back 25.
    short = Period(date(2026, 3, 29), date(2026, 3, 29)).bounds()
    long = Period(date(2026, 10, 25), date(2026, 10, 25)).bounds()
    assert (short[1] - short[0]).total_seconds() == 23 * 3600
    assert (long[1] - long[0]).total_seconds() == 25 * 3600


def test_a_stored_instant_falls_on_the_office_day() -> None:
    march = month(2026, 3)
    assert march.local_day(datetime(2026, 3, 31, 21, 30, tzinfo=UTC)) == date(2026, 3, 31)  # 23:30
    assert march.local_day(datetime(2026, 3, 31, 22, 10, tzinfo=UTC)) == date(2026, 4, 1)  # 00:10
    assert march.local_day(datetime(2026, 2, 28, 23, 30, tzinfo=UTC)) == date(2026, 3, 1)  # 00:30
