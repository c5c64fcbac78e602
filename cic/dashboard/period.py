"""A period of whole days in the office's time zone, and the one before it to compare with.

A period runs from the start of ``first`` to the end of ``last`` (both days included) in the
office's zone (``Europe/Warsaw``); ``bounds()`` gives the UTC instants a query compares
stored times with (``start <= t < end``), so a call at 23:59 local time on the last day is
inside and a call at 00:00 of the next day is not, whatever the offset between summer and
winter time. The previous period has the same number of days and ends the day before
``first``; a calendar month's previous period is the previous calendar month.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from cic.dashboard.errors import InvalidPeriod

MAX_DAYS = 3660
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
MONTHS_PL = (
    "styczeń", "luty", "marzec", "kwiecień", "maj", "czerwiec", "lipiec", "sierpień",
    "wrzesień", "październik", "listopad", "grudzień",
)  # fmt: skip


@dataclass(frozen=True)
class Period:
    """Days ``first``..``last`` (inclusive) in ``zone``; ``month`` when it is a calendar month."""

    first: date
    last: date
    zone: str = "Europe/Warsaw"
    month: bool = False

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise InvalidPeriod("koniec okresu jest przed jego początkiem")
        if self.days > MAX_DAYS:
            raise InvalidPeriod(f"okres może mieć najwyżej {MAX_DAYS} dni")

    @property
    def days(self) -> int:
        """How many days the period has."""
        return (self.last - self.first).days + 1

    def bounds(self) -> tuple[datetime, datetime]:
        """``(start, end)`` in UTC: midnight of ``first`` and midnight after ``last``."""
        tz = ZoneInfo(self.zone)
        start = datetime.combine(self.first, time(), tz).astimezone(UTC)
        end = datetime.combine(self.last + timedelta(days=1), time(), tz).astimezone(UTC)
        return start, end

    def previous(self) -> Period:
        """The period just before, of the same length (the previous month for a month)."""
        if self.month:
            last = self.first - timedelta(days=1)
            return Period(last.replace(day=1), last, self.zone, month=True)
        last = self.first - timedelta(days=1)
        return Period(last - timedelta(days=self.days - 1), last, self.zone)

    def day_list(self) -> list[date]:
        """Every day of the period in order."""
        return [self.first + timedelta(days=n) for n in range(self.days)]

    def local_day(self, instant: datetime) -> date:
        """The office's calendar day of a stored (UTC) instant."""
        return instant.astimezone(ZoneInfo(self.zone)).date()

    def label(self) -> str:
        """The period in Polish: "marzec 2026" or "01.03.2026–15.03.2026"."""
        if self.month:
            return f"{MONTHS_PL[self.first.month - 1]} {self.first.year}"
        return f"{self.first:%d.%m.%Y}–{self.last:%d.%m.%Y}"

    def query(self) -> str:
        """The period as URL parameters (``miesiac=`` or ``od=&do=``)."""
        if self.month:
            return f"miesiac={self.first:%Y-%m}"
        return f"od={self.first.isoformat()}&do={self.last.isoformat()}"


def month(year: int, number: int, zone: str = "Europe/Warsaw") -> Period:
    """The calendar month ``number`` of ``year``."""
    if not 1 <= number <= 12:
        raise InvalidPeriod("miesiąc musi być liczbą od 1 do 12")
    first = date(year, number, 1)
    following = date(year + (number == 12), number % 12 + 1, 1)
    return Period(first, following - timedelta(days=1), zone, month=True)


def parse(params: dict[str, str], today: date, zone: str = "Europe/Warsaw") -> Period:
    """The period asked for by ``miesiac=RRRR-MM`` or ``od=`` / ``do=`` (RRRR-MM-DD).

    With neither, the current month so far (1st .. today). Raises :class:`InvalidPeriod`
    with a Polish message for anything else.
    """
    wanted_month = (params.get("miesiac") or "").strip()
    if wanted_month:
        found = _MONTH.match(wanted_month)
        if not found:
            raise InvalidPeriod("miesiąc podaj jako RRRR-MM")
        return month(int(found.group(1)), int(found.group(2)), zone)
    first_text, last_text = (params.get("od") or "").strip(), (params.get("do") or "").strip()
    if not first_text and not last_text:
        return Period(today.replace(day=1), today, zone)
    try:
        first = date.fromisoformat(first_text) if first_text else today.replace(day=1)
        last = date.fromisoformat(last_text) if last_text else today
    except ValueError as exc:
        raise InvalidPeriod("datę podaj jako RRRR-MM-DD") from exc
    return Period(first, last, zone)
