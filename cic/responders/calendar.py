"""The on-duty calendar of a responder: weekly hours per weekday, around the clock (OSP,
the official on duty), and dated exceptions (leave: off duty; extra duty: on duty).

Pure functions on the office's local time, so the edges (midnight, an interval that runs past
it, an exception ending exactly at a weekly start) are unit-tested without a clock.
An interval is ``"HH:MM-HH:MM"``; one whose end is not after its start runs past midnight
("20:00-06:00" is Friday 20:00 to Saturday 06:00 when given for Friday); "24:00" ends a day.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_LABELS = dict(zip(WEEKDAYS, ("pn", "wt", "śr", "cz", "pt", "sb", "nd"), strict=True))
EXCEPTION_KINDS = ("wolne", "dyzur")
_INTERVAL = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")
MAX_INTERVALS, MAX_EXCEPTIONS = 6, 200


class CalendarError(ValueError):
    """A calendar that cannot be read (the message is Polish, for the form)."""


@dataclass(frozen=True)
class DutyException:
    """A dated exception: ``kind`` "wolne" (leave, off duty) or "dyzur" (extra duty), from
    ``start`` to ``end`` (local, naive datetimes; the end excluded)."""

    kind: str
    start: datetime
    end: datetime
    note: str = ""


@dataclass(frozen=True)
class Calendar:
    """When a responder is on duty: ``always`` (24/7), ``weekly`` intervals per weekday and
    ``exceptions`` (these win over both)."""

    always: bool = False
    weekly: Mapping[str, Sequence[str]] = field(default_factory=dict)
    exceptions: Sequence[DutyException] = ()

    def on_duty(self, at: datetime) -> bool:
        """Whether the responder is on duty at the local time ``at`` (naive): a leave wins,
        then an extra duty, then 24/7, then the weekly hours."""
        at = at.replace(tzinfo=None, second=0, microsecond=0)
        covering = [e.kind for e in self.exceptions if e.start <= at < e.end]
        if "wolne" in covering:
            return False
        if "dyzur" in covering or self.always:
            return True
        return _weekly(self.weekly, at)


def _minutes(hours: str, minutes: str, *, end: bool) -> int:
    h, m = int(hours), int(minutes)
    if m > 59 or h > 24 or (h == 24 and (m or not end)):
        raise CalendarError(f"niepoprawna godzina {hours}:{minutes}")
    return h * 60 + m


def interval(text: str) -> tuple[int, int]:
    """``"HH:MM-HH:MM"`` as minutes from midnight (start, end); an end not after the start
    means the next day."""
    match = _INTERVAL.match(text.strip())
    if not match:
        raise CalendarError(f"godziny „{text[:20]}”: wzór GG:MM-GG:MM, np. 07:30-15:30")
    a, b, c, d = match.groups()
    start, stop = _minutes(a, b, end=False), _minutes(c, d, end=True)
    if start == stop:
        raise CalendarError(f"godziny „{text}”: początek i koniec są takie same")
    return start, stop


def _weekly(weekly: Mapping[str, Sequence[str]], at: datetime) -> bool:
    now = at.hour * 60 + at.minute
    today, yesterday = WEEKDAYS[at.weekday()], WEEKDAYS[(at.weekday() - 1) % 7]
    for text in weekly.get(today, ()):
        start, stop = interval(text)
        if start <= now and (now < stop or stop < start):
            return True
    for text in weekly.get(yesterday, ()):
        start, stop = interval(text)
        if stop < start and now < stop:  # yesterday's night shift still running
            return True
    return False


def checked_weekly(raw: object) -> dict[str, list[str]]:
    """The weekly hours from a form or JSON, or :class:`CalendarError`."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise CalendarError('Godziny dyżuru: obiekt {dzień: ["GG:MM-GG:MM", ...]}.')
    weekly: dict[str, list[str]] = {}
    for day, items in raw.items():
        if day not in WEEKDAYS:
            raise CalendarError(
                f"Nieznany dzień tygodnia „{str(day)[:10]}” ({', '.join(WEEKDAYS)})."
            )
        if not isinstance(items, list) or len(items) > MAX_INTERVALS:
            raise CalendarError(f"Godziny na {day}: lista najwyżej {MAX_INTERVALS} przedziałów.")
        for item in items:
            if not isinstance(item, str):
                raise CalendarError(f"Godziny na {day}: przedziały jako tekst GG:MM-GG:MM.")
            interval(item)
        if items:
            weekly[day] = [item.strip() for item in items]
    return weekly


def checked_exceptions(raw: object) -> list[DutyException]:
    """Dated exceptions from JSON (``[{"kind", "start", "end", "note"}]``, ISO local times),
    or :class:`CalendarError`."""
    if raw is None:
        return []
    if not isinstance(raw, list) or len(raw) > MAX_EXCEPTIONS:
        raise CalendarError(f"Wyjątki: lista najwyżej {MAX_EXCEPTIONS} pozycji.")
    found = []
    for item in raw:
        if not isinstance(item, Mapping) or item.get("kind") not in EXCEPTION_KINDS:
            raise CalendarError("Wyjątek: rodzaj „wolne” albo „dyzur”, początek i koniec.")
        try:
            start = datetime.fromisoformat(str(item.get("start", ""))).replace(tzinfo=None)
            end = datetime.fromisoformat(str(item.get("end", ""))).replace(tzinfo=None)
        except ValueError:
            raise CalendarError(
                "Wyjątek: początek i koniec jako data i godzina, np. 2026-12-24T08:00."
            ) from None
        if end <= start:
            raise CalendarError("Wyjątek: koniec musi być po początku.")
        if end - start > timedelta(days=366):
            raise CalendarError("Wyjątek: najwyżej rok.")
        note = str(item.get("note", ""))[:200]
        found.append(DutyException(str(item["kind"]), start, end, note))
    return found


def exceptions_json(items: Sequence[DutyException]) -> list[dict[str, str]]:
    """Exceptions as stored and shown."""
    return [
        {"kind": e.kind, "start": e.start.isoformat(timespec="minutes"),
         "end": e.end.isoformat(timespec="minutes"), "note": e.note}
        for e in items
    ]  # fmt: skip
