"""Routing errors: each carries the HTTP status and a stable error id."""

from __future__ import annotations

from typing import ClassVar

from cic.config import ConfigError
from cic.errors import CicError


class RoutingError(CicError):
    """Base class of routing errors."""

    status: ClassVar[int] = 500
    error_id: ClassVar[str] = "routing.error"


class OfficeCalendarError(RoutingError, ConfigError):
    """The office calendar settings (hours, closed days, time zone, holidays) are unusable.

    The message names the setting and the bad value; it is also a ``ConfigError`` so startup
    code that reports configuration problems catches it too.
    """

    error_id: ClassVar[str] = "routing.office_calendar"
