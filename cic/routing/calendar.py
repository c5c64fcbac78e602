"""The office calendar: opening hours, Polish public holidays and extra closed days.

Hours are wall-clock intervals in the office time zone (``Europe/Warsaw``), half-open:
``08:00-16:00`` is open at 08:00:00 and closed at 16:00:00. ``24:00`` may end an interval.
Public holidays come from the ``holidays`` package (Polish names); ``office.closed_days``
adds days the office closes on top of them (a bridging day, the day off owed for a holiday
falling on a Saturday).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

from cic.config import WEEKDAYS, OfficeSettings
from cic.routing.errors import OfficeCalendarError

OpenReason = Literal["open", "closed_hours", "closed_holiday", "closed_day"]

_INTERVAL = re.compile(r"(\d{2}):(\d{2})\s*-\s*(\d{2}):(\d{2})")
_DAY_MINUTES = 24 * 60
_SEARCH_DAYS = 400


@dataclass(frozen=True)
class OpenState:
    """Whether the office is open at a moment, and why.

    ``holiday`` is the holiday's Polish name when ``reason`` is ``closed_holiday``.
    ``next_open`` (office time zone) is set when closed; ``None`` if no opening is found
    within a year. ``closes_at`` is the end of the current opening interval when open.
    """

    open: bool
    reason: OpenReason
    holiday: str = ""
    next_open: datetime | None = None
    closes_at: datetime | None = None


def parse_interval(text: str, setting: str = "office.hours") -> tuple[int, int]:
    """Parse ``'HH:MM-HH:MM'`` into minutes since midnight; raise naming the bad value."""
    match = _INTERVAL.fullmatch(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise OfficeCalendarError(f"{setting}: {text!r} is not an interval like '08:00-16:00'")
    sh, sm, eh, em = (int(g) for g in match.groups())
    start, end = sh * 60 + sm, eh * 60 + em
    if sh > 23 or sm > 59 or em > 59 or end > _DAY_MINUTES:
        raise OfficeCalendarError(f"{setting}: {text!r} is not a valid time of day")
    if end <= start:
        raise OfficeCalendarError(f"{setting}: {text!r} must end after it starts, the same day")
    return start, end


def _parse_day(day: str, raw: object) -> list[tuple[int, int]]:
    values = [raw] if isinstance(raw, str) else raw
    if not isinstance(values, list):
        raise OfficeCalendarError(f"office.hours.{day}: expected a list, got {raw!r}")
    merged: list[tuple[int, int]] = []
    for start, end in sorted(parse_interval(v, f"office.hours.{day}") for v in values):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _parse_closed_day(raw: object) -> date:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):  # YAML reads an unquoted 2026-11-10 as a date
        return raw
    try:
        return date.fromisoformat(str(raw).strip())
    except ValueError:
        raise OfficeCalendarError(
            f"office.closed_days: {raw!r} is not a date like '2026-11-10'"
        ) from None


class OfficeCalendar:
    """Answers "is the office open now, and if not, why and until when?"."""

    def __init__(self, office: OfficeSettings) -> None:
        """Validate the office's calendar settings; errors name the bad value."""
        try:
            self.tz = ZoneInfo(office.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise OfficeCalendarError(
                f"office.timezone: {office.timezone!r} is not a known time zone"
            ) from None
        unknown = set(office.hours) - set(WEEKDAYS)
        if unknown:
            raise OfficeCalendarError(
                f"office.hours: {sorted(unknown)!r} not among {', '.join(WEEKDAYS)}"
            )
        self._hours = [_parse_day(d, office.hours.get(d, [])) for d in WEEKDAYS]
        self._closed_days = frozenset(_parse_closed_day(d) for d in office.closed_days)
        try:
            self._holidays = holidays.country_holidays(office.holidays_country, language="pl")
        except NotImplementedError:
            raise OfficeCalendarError(
                f"office.holidays_country: {office.holidays_country!r} is not supported"
            ) from None

    def reload(self, office: OfficeSettings) -> None:
        """Take changed hours or closed days; the next question is answered by them.

        Everything is parsed before anything is replaced: bad settings raise and leave the
        calendar as it was.
        """
        vars(self).update(vars(OfficeCalendar(office)))

    def holiday(self, day: date) -> str:
        """The public holiday's Polish name on ``day``, or ``''``."""
        return self._holidays.get(day) or ""

    def is_open(self, at: datetime) -> OpenState:
        """Whether the office is open at ``at`` (timezone-aware), with the reason."""
        local = self._local(at)
        day = local.date()
        name = self.holiday(day)
        if name:
            return OpenState(False, "closed_holiday", name, self.next_opening(at))
        if day in self._closed_days:
            return OpenState(False, "closed_day", next_open=self.next_opening(at))
        minute = local.hour * 60 + local.minute
        for start, end in self._hours[day.weekday()]:
            if start <= minute < end:
                return OpenState(True, "open", closes_at=self._wall(day, end))
        return OpenState(False, "closed_hours", next_open=self.next_opening(at))

    def next_opening(self, after: datetime) -> datetime | None:
        """The first opening time strictly after ``after``, in the office time zone."""
        local = self._local(after)
        for offset in range(_SEARCH_DAYS):
            day = local.date() + timedelta(days=offset)
            if self.holiday(day) or day in self._closed_days:
                continue
            for start, _end in self._hours[day.weekday()]:
                opening = self._wall(day, start)
                if opening > local:
                    return opening
        return None

    def _local(self, at: datetime) -> datetime:
        if at.tzinfo is None or at.utcoffset() is None:
            raise ValueError(f"OfficeCalendar needs a timezone-aware datetime, got {at!r}")
        return at.astimezone(self.tz)

    def _wall(self, day: date, minutes: int) -> datetime:
        """A wall-clock time on ``day``; a time skipped by DST resolves to the real instant."""
        if minutes >= _DAY_MINUTES:
            day, minutes = day + timedelta(days=1), minutes - _DAY_MINUTES
        naive = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=self.tz)
        return naive.astimezone(UTC).astimezone(self.tz)
