"""Errors of the overflow domain; each carries its HTTP status and a stable error id."""

from __future__ import annotations

from cic.errors import CicError


class CapacityError(CicError):
    """Base class of overflow errors."""

    status = 400
    error_id = "overflow_error"


class BadReserve(CapacityError):
    """A reserve change that is not ``{"reserve": bool, "penalty": int | null}``."""

    status = 400
    error_id = "bad_reserve"
    default_message = 'Oczekiwano {"reserve": true|false, "penalty": liczba|null}.'


class NotEligible(CapacityError):
    """The agent cannot be added to (or removed from) the first line now."""

    status = 409
    error_id = "overflow_not_eligible"
