"""When a consultation takes comments: whole days in the office's time zone, both ends included.

The state is derived from the dates, never stored: ``zapowiedziana`` (announced, before the
first day), ``trwa`` (running, from the first to the last day) and ``zakończona`` (closed,
from the day after the last). Pure functions: the clock is passed in.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

State = Literal["zapowiedziana", "trwa", "zakończona"]
STATES: tuple[State, ...] = ("zapowiedziana", "trwa", "zakończona")


def local_day(now: datetime, zone: str) -> date:
    """The calendar day ``now`` (aware) falls on in ``zone`` (Europe/Warsaw)."""
    return now.astimezone(ZoneInfo(zone)).date()


def state(starts_on: date, ends_on: date, today: date) -> State:
    """The consultation's state on ``today``."""
    if today < starts_on:
        return "zapowiedziana"
    if today <= ends_on:
        return "trwa"
    return "zakończona"


def period_problem(starts_on: date | None, ends_on: date | None) -> dict[str, str]:
    """What is wrong with a period an editor gave (field -> Polish message); empty: fine."""
    problems = {}
    if starts_on is None:
        problems["starts_on"] = "Podaj pierwszy dzień konsultacji (RRRR-MM-DD)."
    if ends_on is None:
        problems["ends_on"] = "Podaj ostatni dzień konsultacji (RRRR-MM-DD)."
    if starts_on is not None and ends_on is not None and ends_on < starts_on:
        problems["ends_on"] = "Ostatni dzień nie może być wcześniejszy niż pierwszy."
    return problems


def parse_day(text: str) -> date | None:
    """``RRRR-MM-DD`` as a date (None for anything else)."""
    try:
        return date.fromisoformat(text.strip()) if len(text.strip()) == 10 else None
    except ValueError:
        return None
