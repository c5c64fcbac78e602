"""Refusals of the warnings domain: clear Polish messages with stable ids."""

from __future__ import annotations

from collections.abc import Mapping

from cic.errors import CicError


class WarningError(CicError):
    """The base of every warnings error."""

    status = 400
    error_id = "warning_error"
    default_message = "Nie można wykonać tej czynności na ostrzeżeniu."


class WarningNotFound(WarningError):
    """No such warning (for residents: none that was ever sent)."""

    status = 404
    error_id = "warning_not_found"
    default_message = "Nie ma takiego ostrzeżenia."


class WarningForbidden(WarningError):
    """The user's role may not do this to this warning."""

    status = 403
    error_id = "warning_forbidden"
    default_message = (
        "Redaktor portalu może przygotować i wysłać tylko ostrzeżenie na baner portalu;"
        " wysyłkę e-mail, SMS i połączeń zleca kierownik zmiany."
    )


class InvalidWarning(WarningError):
    """A warning or a subscription that cannot be accepted; ``fields`` maps each wrong field
    to what to change."""

    error_id = "warning_invalid"
    default_message = "Popraw zaznaczone pola."

    def __init__(self, fields: Mapping[str, str]) -> None:
        """Keep the message of each wrong field."""
        super().__init__("; ".join(fields.values()) or None)
        self.fields = dict(fields)


class CodeRefused(WarningError):
    """A confirmation code or link that is wrong, used, expired or tried too often."""

    error_id = "warning_code_refused"
    default_message = "Kod jest nieprawidłowy albo wygasł. Sprawdź go albo poproś o nowy kod."


class LinkExpired(WarningError):
    """An e-mail confirmation or unsubscribe link that is unknown, used or too old."""

    status = 404
    error_id = "warning_link_expired"
    default_message = (
        "Ten link jest nieważny: został już użyty albo wygasł. Zapisz się ponownie na stronie"
        " ostrzeżeń."
    )
