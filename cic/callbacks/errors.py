"""Errors of the callbacks domain; each carries its HTTP status and a stable error id."""

from __future__ import annotations

from cic.errors import CicError


class CallbackError(CicError):
    """Base class of callback errors."""

    status = 400
    error_id = "callback_error"


class InvalidNumber(CallbackError):
    """The number cannot be called back (not a Polish number, or a premium-rate one)."""

    error_id = "callback_bad_number"
    default_message = "Na ten numer nie możemy oddzwonić."


class CallbackNotFound(CallbackError):
    """No callback request has this id."""

    status = 404
    error_id = "callback_not_found"
    default_message = "Nie ma takiej prośby o oddzwonienie."


class CallbackConflict(CallbackError):
    """The request is not in a state that allows the change."""

    status = 409
    error_id = "callback_conflict"


class BadStatus(CallbackError):
    """A list filtered by a status callbacks do not have."""

    error_id = "bad_status"
