"""The base of every domain error: an HTTP status, a stable ``error_id``, a Polish message."""

from __future__ import annotations

from typing import Any, ClassVar


class CicError(Exception):
    """``status`` is the HTTP status, ``error_id`` what code and tests match on."""

    status: ClassVar[int] = 500
    error_id: ClassVar[str] = "error"
    default_message: ClassVar[str] = "Wystąpił błąd."
    #: True once this refusal is in the audit log (the service that refused an object wrote
    #: it), so the web layer does not write it a second time as a refused route.
    recorded: bool = False

    def __init__(self, message: str | None = None) -> None:
        """Keep the (Polish) message for the response body."""
        self.message = message or self.default_message
        super().__init__(self.message)

    def to_dict(self) -> dict[str, Any]:
        """The JSON error body: ``{"error": error_id, "message": message}``."""
        return {"error": self.error_id, "message": self.message}


class StoreUnavailable(CicError):
    """The database cannot be reached or is busy right now: worth trying again shortly."""

    status = 503
    error_id = "store_unavailable"
    default_message = "Baza danych jest chwilowo niedostępna. Spróbuj za chwilę."


class AccessRefusal:
    """Marks an error as a refusal of access to one object (this user may not read or change
    THIS case, report, call or recording): such refusals are written to the audit log.

    A mixin beside a ``CicError`` subclass; a 404 that hides an object from this user (so that
    guessing ids tells nothing) is a refusal too.
    """


class CommandError(RuntimeError):
    """A ``cic`` command could not do what was asked; the message says why, in Polish (the
    command line prints it without a traceback)."""
