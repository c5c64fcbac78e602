"""Errors of the privacy domain; each carries its HTTP status and a stable error id."""

from __future__ import annotations

from cic.errors import CicError


class PrivacyError(CicError):
    """Base class of the privacy domain's errors."""

    status = 400
    error_id = "privacy_error"
    default_message = "Nie można wykonać żądania dotyczącego danych osobowych."


class InvalidRequest(PrivacyError):
    """A request body or parameter that cannot be used; the message says why, in Polish."""

    status = 400
    error_id = "invalid_privacy_request"
    default_message = "Nieprawidłowe żądanie."


class NotTheirs(PrivacyError):
    """A record named in a rectification does not hold this resident's data."""

    status = 404
    error_id = "not_residents_data"
    default_message = "Ta pozycja nie zawiera danych tego mieszkańca."


class RectificationRefused(PrivacyError):
    """The record may not be changed (e.g. a closed case's file); the message says why."""

    status = 409
    error_id = "rectification_refused"


class ErasureRefused(PrivacyError):
    """Erasure cannot run now (a call in progress, a callback waiting, a recording still being
    processed); nothing was changed and the message lists why, in Polish."""

    status = 409
    error_id = "erasure_refused"


class ExportTooLarge(PrivacyError):
    """The archive would be larger than ``privacy.export_max_mb`` allows over HTTP."""

    status = 413
    error_id = "export_too_large"
