"""Errors of the dashboard, each with its HTTP status and a stable id."""

from __future__ import annotations

from cic.errors import CicError


class InvalidPeriod(CicError):
    """The period asked for is not a valid span of days."""

    status = 400
    error_id = "invalid_period"
    default_message = "Nieprawidłowy okres."


class UnknownMeasure(CicError):
    """No measure (or drill-down) has this key."""

    status = 404
    error_id = "unknown_measure"
    default_message = "Nie ma takiego wskaźnika."
