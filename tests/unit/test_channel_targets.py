"""Reply targets in working days on the Polish calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime

from cic.channels.targets import add_working_days, reply_due, working_days_late

DAYS = {"email": 3, "www": 2, "osobiscie": 7}


def test_three_working_days_skip_the_weekend() -> None:
    # Thursday 3 December 2026 + 3 working days: Fri 4, Mon 7, Tue 8.
    assert add_working_days(date(2026, 12, 3), 3) == date(2026, 12, 8)


def test_christmas_and_boxing_day_and_christmas_eve_are_not_counted() -> None:
    # Wed 23 Dec 2026 + 2: 24 (Wigilia, free from 2025), 25, 26 free, 27 Sunday -> Mon 28, Tue 29.
    assert add_working_days(date(2026, 12, 23), 2) == date(2026, 12, 29)


def test_a_message_on_saturday_counts_from_monday() -> None:
    # Saturday 5 Dec 2026, one working day: Monday 7.
    assert add_working_days(date(2026, 12, 5), 1) == date(2026, 12, 7)


def test_the_office_day_not_the_utc_day_decides() -> None:
    # 23:30 UTC on Thursday 3 Dec is 00:30 on Friday 4 Dec in Warsaw.
    late_evening = datetime(2026, 12, 3, 23, 30, tzinfo=UTC)
    assert reply_due(late_evening, "email", DAYS, "Europe/Warsaw") == date(2026, 12, 9)
    assert reply_due(late_evening, "email", DAYS, "UTC") == date(2026, 12, 8)


def test_each_channel_has_its_own_target_and_unknown_ones_a_default() -> None:
    at = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)  # Monday
    assert reply_due(at, "www", DAYS, "Europe/Warsaw") == date(2026, 12, 9)
    assert reply_due(at, "osobiscie", DAYS, "Europe/Warsaw") == date(2026, 12, 16)
    assert reply_due(at, "epuap", DAYS, "Europe/Warsaw") == date(2026, 12, 10)


def test_days_late_count_only_working_days() -> None:
    assert working_days_late(date(2026, 12, 4), date(2026, 12, 4)) == 0
    assert working_days_late(date(2026, 12, 4), date(2026, 12, 7)) == 1  # Fri -> Mon
    assert working_days_late(date(2026, 12, 4), date(2026, 12, 3)) == 0
