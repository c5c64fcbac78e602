"""The controller's daily backup on a fake clock: it runs at the set local time, every day,
across the change to summer time, and a failed run does not end the schedule."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from cic.backup.schedule import MAX_NAP, next_run, run_daily
from cic.config import ConfigError, Settings, schedule_time, validate

WARSAW = ZoneInfo("Europe/Warsaw")


class Stop(BaseException):
    """Ends the endless loop in the test."""


class FakeClock:
    """``now`` and ``sleep``: sleeping moves the clock on at once."""

    def __init__(self, start: datetime) -> None:
        self.at = start
        self.naps: list[float] = []

    def now(self) -> datetime:
        return self.at

    async def sleep(self, seconds: float) -> None:
        self.naps.append(seconds)
        self.at += timedelta(seconds=seconds)


def test_next_run_is_the_next_local_time() -> None:
    winter = datetime(2026, 1, 10, 0, 0, tzinfo=UTC)  # 01:00 in Warsaw
    assert next_run(winter, (2, 30), WARSAW) == datetime(2026, 1, 10, 1, 30, tzinfo=UTC)
    after = datetime(2026, 1, 10, 1, 30, tzinfo=UTC)  # exactly then: tomorrow's
    assert next_run(after, (2, 30), WARSAW) == datetime(2026, 1, 11, 1, 30, tzinfo=UTC)
    summer = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    assert next_run(summer, (2, 30), WARSAW) == datetime(2026, 7, 2, 0, 30, tzinfo=UTC)


def test_the_loop_runs_the_backup_at_the_set_time_each_day() -> None:
    clock = FakeClock(datetime(2026, 3, 27, 20, 0, tzinfo=UTC))
    runs: list[datetime] = []

    async def job() -> None:
        runs.append(clock.now())
        if len(runs) == 2:
            raise RuntimeError("disk full")  # logged; the schedule goes on
        if len(runs) == 4:
            raise Stop

    with pytest.raises(Stop):
        asyncio.run(run_daily(job, (2, 30), WARSAW, now=clock.now, sleep=clock.sleep))

    assert runs == [
        datetime(2026, 3, 28, 1, 30, tzinfo=UTC),  # 02:30 CET
        datetime(2026, 3, 29, 1, 30, tzinfo=UTC),  # 02:30 does not exist that night: 03:30 CEST
        datetime(2026, 3, 30, 0, 30, tzinfo=UTC),  # 02:30 CEST
        datetime(2026, 3, 31, 0, 30, tzinfo=UTC),
    ]
    assert max(clock.naps) <= MAX_NAP  # a jumping clock is noticed within minutes


def test_schedule_setting_is_a_time_of_day() -> None:
    assert schedule_time("02:30") == (2, 30) and schedule_time("2:05") == (2, 5)
    for bad in ("24:00", "02:60", "0230", "2:5", "jutro", "02:30:00"):
        assert schedule_time(bad) is None
    settings = Settings()
    settings.backup.schedule = "25:00"
    with pytest.raises(ConfigError, match=r"backup\.schedule"):
        validate(settings)
    settings.backup.schedule, settings.backup.keep_daily = "", 0
    with pytest.raises(ConfigError, match="keep_daily"):
        validate(settings)
