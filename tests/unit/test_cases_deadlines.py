"""KPA deadlines on the Polish calendar: art. 35, art. 57 §3 and §4, art. 217 §3."""

from __future__ import annotations

from datetime import date

import pytest

from cic.cases.deadlines import (
    add_months,
    deadline_state,
    due_date,
    is_working_day,
    next_working_day,
    polish_holidays,
)
from cic.cases.errors import InvalidValue


def test_christmas_eve_is_a_holiday_from_2025_only() -> None:
    assert date(2025, 12, 24) in polish_holidays(2025)
    assert date(2026, 12, 24) in polish_holidays(2026)
    assert date(2024, 12, 24) not in polish_holidays(2024)
    assert is_working_day(date(2024, 12, 24))  # a Tuesday, still a working day then
    assert not is_working_day(date(2026, 12, 24))  # a Thursday, now a holiday


@pytest.mark.parametrize(
    ("kind", "started", "due"),
    [
        # a month from 24 November 2026 ends on Thursday 24 December: 24, 25, 26 (Sat),
        # 27 (Sun) are free, so Monday 28 December
        ("miesiac", date(2026, 11, 24), date(2026, 12, 28)),
        # 7 days from 17 December 2026 = 24 December -> Monday 28 December
        ("zaswiadczenie", date(2026, 12, 17), date(2026, 12, 28)),
        # in 2024, 24 December (Tuesday) was a working day
        ("zaswiadczenie", date(2024, 12, 17), date(2024, 12, 24)),
        # 1 January 2027 (Friday) -> Monday 4 January
        ("miesiac", date(2026, 12, 1), date(2027, 1, 4)),
        # 6 January 2027 (Wednesday, Epiphany) -> Thursday 7 January
        ("zaswiadczenie", date(2026, 12, 30), date(2027, 1, 7)),
        # Easter Monday 6 April 2026 -> Tuesday 7 April
        ("miesiac", date(2026, 3, 6), date(2026, 4, 7)),
        # 31 January + 1 month = 28 February 2026 (Saturday) -> Monday 2 March
        ("miesiac", date(2026, 1, 31), date(2026, 3, 2)),
        # 31 January 2028 + 1 month = 29 February 2028 (leap year, Tuesday)
        ("miesiac", date(2028, 1, 31), date(2028, 2, 29)),
        # two months from 31 December 2026 = 28 February 2027 (Sunday) -> Monday 1 March
        ("dwa_miesiace", date(2026, 12, 31), date(2027, 3, 1)),
        # a deadline on Saturday 16 January 2027 moves to Monday 18 January
        ("miesiac", date(2026, 12, 16), date(2027, 1, 18)),
        # 7 days from Wednesday 2 December 2026 = Wednesday 9 December (a working day)
        ("zaswiadczenie", date(2026, 12, 2), date(2026, 12, 9)),
        # "niezwłocznie": the same day, or the next working day
        ("niezwlocznie", date(2026, 12, 3), date(2026, 12, 3)),
        ("niezwlocznie", date(2026, 12, 5), date(2026, 12, 7)),
        # Sunday 15 November 2026 + 1 month = 15 December (Tuesday)
        ("miesiac", date(2026, 11, 15), date(2026, 12, 15)),
        # 1 May (Friday) then 2, 3 (Sunday, and a holiday) -> Monday 4 May 2026
        ("miesiac", date(2026, 4, 1), date(2026, 5, 4)),
    ],
)
def test_due_dates(kind: str, started: date, due: date) -> None:
    assert due_date(kind, started) == due
    assert is_working_day(due)


def test_no_deadline_and_unknown_kind() -> None:
    assert due_date("brak", date(2026, 12, 3)) is None
    with pytest.raises(InvalidValue) as raised:
        due_date("tydzien", date(2026, 12, 3))
    assert "Rodzaj terminu" in raised.value.message


def test_month_arithmetic_keeps_the_day_or_takes_the_last() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 3, 31), 1) == date(2026, 4, 30)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert add_months(date(2026, 12, 15), 1) == date(2027, 1, 15)


def test_next_working_day_skips_a_run_of_free_days() -> None:
    assert next_working_day(date(2026, 12, 24)) == date(2026, 12, 28)
    assert next_working_day(date(2026, 12, 28)) == date(2026, 12, 28)
    assert next_working_day(date(2026, 4, 5)) == date(2026, 4, 7)  # Easter Sunday, Monday


def test_deadline_state() -> None:
    deadline = date(2026, 12, 10)
    assert deadline_state(deadline, date(2026, 12, 11), 7).overdue
    soon = deadline_state(deadline, date(2026, 12, 3), 7)
    assert soon.due_soon and not soon.overdue and soon.days_left == 7
    later = deadline_state(deadline, date(2026, 11, 30), 7)
    assert not later.due_soon and not later.overdue
    assert deadline_state(None, date(2026, 12, 3), 7).days_left is None
