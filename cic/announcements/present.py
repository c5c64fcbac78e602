"""How announcements' times read in Polish, in the office's time zone, and how the editors'
form gives them back (``datetime-local`` fields are local time)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

MONTHS = ("stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca", "sierpnia",
          "września", "października", "listopada", "grudnia")  # fmt: skip


def polish_date(when: datetime | None, zone: str) -> str:
    """``1 grudnia 2026`` ('' for none)."""
    if when is None:
        return ""
    local = when.astimezone(ZoneInfo(zone))
    return f"{local.day} {MONTHS[local.month - 1]} {local.year}"


def polish_time(when: datetime | None, zone: str) -> str:
    """``1 grudnia 2026, 08:05`` ('' for none)."""
    if when is None:
        return ""
    local = when.astimezone(ZoneInfo(zone))
    return f"{polish_date(when, zone)}, {local:%H:%M}"


def local_field(when: datetime | None, zone: str) -> str:
    """The value of a ``datetime-local`` field: ``2026-12-01T08:05`` ('' for none)."""
    return "" if when is None else when.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M")


def from_local_field(text: str, zone: str) -> datetime | None:
    """A ``datetime-local`` value (local time) as an aware datetime; '' is ``None``;
    ``ValueError`` for anything else."""
    text = text.strip()
    if not text:
        return None
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is not None:
        raise ValueError("local time expected")
    return parsed.replace(tzinfo=ZoneInfo(zone))
