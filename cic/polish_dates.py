"""Dates the way the office writes them: DD.MM.RRRR GG:MM (or with seconds), in its zone.

Times are stored in UTC; a page shows them in the office's zone whatever the server's zone
is. Accepts aware datetimes, ISO 8601 text (as the API gives it) or nothing (shown as "–").
Also Jinja filters: ``{{ call.entered_at|pl_datetime(zone) }}``. A core module (no imports from
cic): every domain's pages and the page environment of ``cic.auth`` use it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

DEFAULT_ZONE = "Europe/Warsaw"
NONE = "–"


@lru_cache(maxsize=16)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _moment(value: datetime | str | None) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def pl_datetime(
    value: datetime | str | None, zone: str = DEFAULT_ZONE, *, seconds: bool = False
) -> str:
    """``06.12.2026 14:05`` (``14:05:09`` with ``seconds``) in ``zone``; "–" for nothing."""
    moment = _moment(value)
    if moment is None:
        return NONE
    local = moment.astimezone(_zone(zone))
    return local.strftime("%d.%m.%Y %H:%M:%S" if seconds else "%d.%m.%Y %H:%M")


def pl_time(value: datetime | str | None, zone: str = DEFAULT_ZONE) -> str:
    """``14:05:09`` in ``zone`` (for a timeline within one day); "–" for nothing."""
    moment = _moment(value)
    return NONE if moment is None else moment.astimezone(_zone(zone)).strftime("%H:%M:%S")


def pl_date(value: date | datetime | str | None, zone: str = DEFAULT_ZONE) -> str:
    """``06.12.2026``: a day as it is, a moment in ``zone``; "–" for nothing."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.strftime("%d.%m.%Y")
    moment = _moment(value)
    return NONE if moment is None else moment.astimezone(_zone(zone)).strftime("%d.%m.%Y")


def pl_seconds(value: float | None) -> str:
    """A duration as ``m:ss`` (``1:05``), ``g:mm:ss`` past an hour; "–" for nothing."""
    if value is None:
        return NONE
    total = max(round(value), 0)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


#: The helpers as Jinja filters.
FILTERS = {"pl_datetime": pl_datetime, "pl_time": pl_time, "pl_date": pl_date,
           "pl_seconds": pl_seconds}  # fmt: skip
