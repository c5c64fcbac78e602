"""Errors of the recordings domain; each carries its HTTP status and a stable ``error_id``."""

from __future__ import annotations

from typing import ClassVar

from cic.errors import CicError


class RecordingsError(CicError):
    """Base class of the recordings domain's errors."""

    status: ClassVar[int] = 500
    error_id: ClassVar[str] = "recordings_error"


class RecordingNotFound(RecordingsError):
    """The call has no recording (or none that may be played)."""

    status = 404
    error_id = "recording_not_found"
    default_message = "Nie znaleziono nagrania tego połączenia."


class UnsafePath(RecordingsError):
    """A call id or file path that could leave the recordings directory."""

    status = 400
    error_id = "unsafe_path"
    default_message = "Niedozwolony identyfikator lub ścieżka nagrania."


class InvalidInput(RecordingsError):
    """A request body or parameter the service cannot use."""

    status = 400
    error_id = "invalid_input"
    default_message = "Nieprawidłowe dane."


class CallNotKnown(RecordingsError):
    """No call with this id is on record."""

    status = 404
    error_id = "call_not_found"
    default_message = "Nie znaleziono połączenia."
