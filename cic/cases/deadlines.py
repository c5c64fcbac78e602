"""KPA deadlines on the Polish calendar.

- art. 35 §3: a case needing evidence: one month; a particularly complex case: two months;
  art. 35 §2: a case that can be settled at once is settled "niezwłocznie" (taken here as the
  day it started, moved per art. 57 §4 — it is overdue from the next working day);
- art. 217 §3: a certificate (zaświadczenie) within 7 days;
- art. 57 §1: a period in days does not count the starting day and ends with its last day;
- art. 57 §3: a period in months ends on the same day of the month as the start, or on the
  month's last day if that month has no such day (31 January + 1 month = 28/29 February);
- art. 57 §4: a deadline falling on a day free from work (Sundays and public holidays, ustawa
  o dniach wolnych od pracy) or on a Saturday moves to the next working day.
"""

from __future__ import annotations

import calendar
import functools
from dataclasses import dataclass
from datetime import date, timedelta

import holidays

from cic.cases.errors import InvalidValue

DEADLINE_KINDS = {
    "niezwlocznie": "niezwłocznie (art. 35 § 2 KPA)",
    "miesiac": "miesiąc (art. 35 § 3 KPA)",
    "dwa_miesiace": "dwa miesiące, sprawa szczególnie skomplikowana (art. 35 § 3 KPA)",
    "zaswiadczenie": "7 dni, zaświadczenie (art. 217 § 3 KPA)",
    "brak": "bez terminu KPA",
}
ART_36_REMINDER = (
    "Termin minął: zawiadom stronę o niezałatwieniu sprawy w terminie (art. 36 KPA) — podaj"
    " przyczyny zwłoki, wskaż nowy termin i poucz o prawie do wniesienia ponaglenia (art. 37)."
)


@functools.lru_cache(maxsize=64)
def polish_holidays(year: int) -> frozenset[date]:
    """Polish public holidays of ``year`` (Sundays are free days anyway).

    Christmas Eve (24 December) is a public holiday from 2025 (ustawa z 6 grudnia 2024 r.);
    the ``holidays`` package has it from version 0.64 — it is added here too, so an older
    package cannot silently drop it.
    """
    days = set(holidays.country_holidays("PL", years=year))
    if year >= 2025:
        days.add(date(year, 12, 24))
    return frozenset(days)


def is_working_day(day: date) -> bool:
    """Not a Saturday, a Sunday or a Polish public holiday."""
    return day.weekday() < 5 and day not in polish_holidays(day.year)


def next_working_day(day: date) -> date:
    """``day`` itself if it is a working day, else the next one (art. 57 § 4 KPA)."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def add_months(start: date, months: int) -> date:
    """The same day of the month ``months`` later, or that month's last day (art. 57 § 3)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def add_days(start: date, days: int) -> date:
    """The last day of a period of ``days`` days starting after ``start`` (art. 57 § 1)."""
    return start + timedelta(days=days)


def due_date(kind: str, started: date) -> date | None:
    """The deadline of a case of ``kind`` started on ``started`` (``None`` for ``brak``)."""
    if kind == "brak":
        return None
    if kind == "niezwlocznie":
        end = started
    elif kind == "miesiac":
        end = add_months(started, 1)
    elif kind == "dwa_miesiace":
        end = add_months(started, 2)
    elif kind == "zaswiadczenie":
        end = add_days(started, 7)
    else:
        raise InvalidValue("Rodzaj terminu to jeden z: " + ", ".join(sorted(DEADLINE_KINDS)) + ".")
    return next_working_day(end)


@dataclass(frozen=True)
class DeadlineState:
    """Where a deadline stands on ``today``: overdue, due soon (within ``soon_days``) or not."""

    overdue: bool
    due_soon: bool
    days_left: int | None


def deadline_state(deadline: date | None, today: date, soon_days: int) -> DeadlineState:
    """Overdue when ``today`` is after the deadline; due soon when within ``soon_days`` days."""
    if deadline is None:
        return DeadlineState(False, False, None)
    left = (deadline - today).days
    return DeadlineState(left < 0, 0 <= left <= soon_days, left)
