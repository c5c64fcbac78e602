"""Errors of the auth domain; each carries its HTTP status and a stable ``error_id``.

Messages are Polish (shown to staff); ``error_id`` is what code and tests match on.
"""

from __future__ import annotations

from typing import ClassVar

from cic.errors import AccessRefusal, CicError


class AuthError(CicError):
    """Base class of the auth domain's errors."""

    status: ClassVar[int] = 500
    error_id: ClassVar[str] = "auth_error"
    default_message: ClassVar[str] = "Błąd uwierzytelniania."


class NotSignedIn(AuthError):
    """The request carries no valid session (or API token)."""

    status = 401
    error_id = "not_signed_in"
    default_message = "Wymagane zalogowanie."


class InvalidCredentials(AuthError):
    """Wrong username or password (never says which)."""

    status = 401
    error_id = "invalid_credentials"
    default_message = "Nieprawidłowa nazwa użytkownika lub hasło."


class Forbidden(AuthError, AccessRefusal):
    """Signed in, but the role does not allow this page or action."""

    status = 403
    error_id = "forbidden"
    default_message = "Brak uprawnień do tej strony."


class CsrfRejected(AuthError):
    """A state-changing request without a valid CSRF token."""

    status = 403
    error_id = "csrf_rejected"
    default_message = "Brak lub nieprawidłowy token CSRF. Odśwież stronę i spróbuj ponownie."


class OriginRejected(AuthError):
    """A state-changing request (or websocket) from another origin."""

    status = 403
    error_id = "origin_rejected"
    default_message = "Żądanie z innej witryny zostało odrzucone."


class Throttled(AuthError):
    """Too many failed sign-ins in a row from this address, or for this user from it."""

    status = 429
    error_id = "too_many_attempts"

    def __init__(self, retry_after: int) -> None:
        """``retry_after``: whole seconds until the next attempt is allowed."""
        super().__init__(
            f"Zbyt wiele nieudanych prób logowania. Spróbuj ponownie za {retry_after} s."
        )
        self.retry_after = retry_after


class UserExists(AuthError):
    """A user with this username exists already."""

    status = 409
    error_id = "user_exists"

    def __init__(self, username: str) -> None:
        """Name the username in the message."""
        super().__init__(f"Użytkownik {username!r} już istnieje.")


class UserNotFound(AuthError):
    """No user (or linked agent) with this name."""

    status = 404
    error_id = "user_not_found"

    def __init__(self, username: str) -> None:
        """Name the username in the message."""
        super().__init__(f"Nie ma użytkownika {username!r}.")


class InvalidUser(AuthError):
    """A username, display name or role the service cannot accept."""

    status = 400
    error_id = "invalid_user"


class NoSuchLock(AuthError):
    """An admin asked to lift a sign-in lock or back-off that is not (or no longer) there."""

    status = 404
    error_id = "no_such_lock"
    default_message = "Nie ma takiej blokady logowania (mogła już wygasnąć)."


class InvalidLock(AuthError):
    """A lift request without a valid address (and optional username)."""

    status = 400
    error_id = "invalid_lock"
    default_message = 'Oczekiwano {"address": "adres IP", "username": "login" (opcjonalnie)}.'
