"""The controller's daily backup (``backup.schedule``, a time of day in the office's time
zone): a loop that sleeps until the next run, makes the backup in a worker thread, and logs
and audits the outcome. The clock and the sleep are passed in, so a test runs it on a fake
clock without waiting."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

log = logging.getLogger(__name__)
#: The longest single sleep: a clock that jumps (a suspended machine, NTP) is noticed soon.
MAX_NAP = 300.0


def next_run(now: datetime, at: tuple[int, int], zone: ZoneInfo) -> datetime:
    """The first moment after ``now`` when the office's clock shows ``at`` (hour, minute)."""
    local = now.astimezone(zone)
    due = local.replace(hour=at[0], minute=at[1], second=0, microsecond=0)
    if due <= local:
        tomorrow = (local + timedelta(days=1)).date()
        due = datetime(tomorrow.year, tomorrow.month, tomorrow.day, at[0], at[1], tzinfo=zone)
    return due.astimezone(UTC)


async def run_daily(
    job: Callable[[], Awaitable[object]],
    at: tuple[int, int],
    zone: ZoneInfo,
    *,
    now: Callable[[], datetime],
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> None:
    """Forever: wait for the next ``at``, then ``job()``; a failing run is logged (the job
    records it for monitoring) and the next day's comes as usual."""
    while True:
        due = next_run(now(), at, zone)
        log.info("backup: next run at %s", due.isoformat())
        while (left := (due - now()).total_seconds()) > 0:
            await sleep(min(left, MAX_NAP))
        try:
            await job()
        except Exception:
            log.exception("backup: the scheduled run failed")
