"""Reply-time targets: by when the office answers a message, in working days of the Polish
calendar, per channel (``channels.reply_days``).

The day a message arrives is not counted (as a period in days in KPA art. 57 § 1); a target
falling on a Saturday, Sunday or public holiday moves to the next working day.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from cic.cases.deadlines import is_working_day

DEFAULT_DAYS = 3


def add_working_days(start: date, days: int) -> date:
    """The ``days``-th working day after ``start``."""
    day, left = start, max(days, 0)
    while left:
        day += timedelta(days=1)
        if is_working_day(day):
            left -= 1
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def reply_due(received: datetime, channel: str, reply_days: dict[str, int], zone: str) -> date:
    """The target date for answering a message of ``channel`` received at ``received``."""
    local = received.astimezone(ZoneInfo(zone)).date()
    return add_working_days(local, reply_days.get(channel, DEFAULT_DAYS))


def working_days_late(due: date, today: date) -> int:
    """How many working days past ``due`` ``today`` is (0 when not late)."""
    late, day = 0, due
    while day < today:
        day += timedelta(days=1)
        if is_working_day(day):
            late += 1
    return late
