"""Refusals of the portal's forms: clear Polish messages with stable ids."""

from __future__ import annotations

from cic.errors import CicError


class PortalError(CicError):
    """A portal request cannot be served as sent (the message says what to change)."""

    status = 400
    error_id = "portal_invalid"
    default_message = "Nie można przyjąć formularza."


class PortalFormExpired(PortalError):
    """The form's token is missing, altered, too fresh or too old: the page must be reloaded."""

    error_id = "portal_form_expired"
    default_message = (
        "Formularz wygasł albo jest nieważny. Wyślij go ponownie z tej strony"
        " (wpisane dane zostały)."
    )


class PortalTooManyAttempts(PortalError):
    """Too many attempts from this address or at this object; ``retry_after`` seconds to wait."""

    status = 429
    error_id = "portal_rate_limited"
    default_message = "Zbyt wiele prób. Spróbuj ponownie później."

    def __init__(self, retry_after: int, message: str | None = None) -> None:
        """``retry_after`` goes out as the Retry-After header."""
        super().__init__(message)
        self.retry_after = max(1, retry_after)


class PortalNotFound(PortalError):
    """No such public page or object (or it is not published)."""

    status = 404
    error_id = "portal_not_found"
    default_message = "Nie ma takiej strony."
