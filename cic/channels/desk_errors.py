"""Errors of the front desk (walk-in visits), each with its HTTP status and a stable id."""

from __future__ import annotations

from cic.errors import CicError


class InvalidVisit(CicError):
    """A visit that cannot be recorded as given (the message says why, in Polish)."""

    status = 400
    error_id = "invalid_visit"
    default_message = "Nieprawidłowe dane wizyty."
