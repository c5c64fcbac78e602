"""Errors of the calls domain; each carries its HTTP status and a stable ``error_id``.

Messages are Polish (shown in the console); ``error_id`` is what code and tests match on.
"""

from __future__ import annotations

from typing import ClassVar

from cic.errors import AccessRefusal, CicError


class CallsError(CicError):
    """Base class of the calls domain's errors."""

    status: ClassVar[int] = 500
    error_id: ClassVar[str] = "calls_error"


class CallNotFound(CallsError):
    """No call with this id is on record."""

    status = 404
    error_id = "call_not_found"

    def __init__(self, call_id: str) -> None:
        """Name the missing call in the message."""
        super().__init__(f"Nie znaleziono połączenia o identyfikatorze {call_id!r}.")
        self.call_id = call_id


class CallNotYours(CallsError, AccessRefusal):
    """An agent names a call they did not take (to note it on a report, say)."""

    status = 403
    error_id = "call_not_yours"
    default_message = (
        "To nie Twoja rozmowa: konsultant może wskazać tylko rozmowy, które sam obsłużył."
    )


class InvalidQuery(CallsError):
    """A query parameter has a value the service cannot use."""

    status = 400
    error_id = "invalid_query"


class RecordingFileMissing(CallsError):
    """The recording file Asterisk should have written does not exist."""

    status = 404
    error_id = "recording_file_missing"

    def __init__(self, path: str) -> None:
        """Name the missing file in the message."""
        super().__init__(f"Brak pliku nagrania: {path}")
        self.path = path


class StoreUnavailable(CallsError):
    """The database did not answer; the call records cannot be read right now."""

    status = 503
    error_id = "store_unavailable"

    def __init__(self, detail: str = "") -> None:
        """Keep the driver's detail out of the message shown to users."""
        super().__init__("Baza danych jest chwilowo niedostępna. Spróbuj ponownie za chwilę.")
        self.detail = detail
