"""Refusals of the dues import and lookup: clear Polish messages with stable ids."""

from __future__ import annotations

from cic.errors import CicError


class DuesError(CicError):
    """Something about dues cannot be done as asked (the message says why)."""

    status = 400
    error_id = "dues_invalid"
    default_message = "Nie można sprawdzić należności."


class ImportRefused(DuesError):
    """The whole import file is refused (empty, too big, not text, no such columns, not
    well-formed XML): nothing of it is loaded."""

    error_id = "dues_file_refused"
    default_message = "Plik należności odrzucony."


class DuesNotFound(DuesError):
    """No payer with this number and PIN: the same answer whichever of the two is wrong."""

    error_id = "dues_not_found"
    default_message = (
        "Nie znaleźliśmy należności dla tego numeru płatnika i PIN-u. Sprawdź oba w decyzji"
        " (podatkowej lub o opłacie) i spróbuj ponownie."
    )


class DuesLocked(DuesError):
    """Too many wrong attempts from this address or at this payer number; ``retry_after``
    seconds to wait."""

    status = 429
    error_id = "dues_locked"

    def __init__(self, retry_after: int) -> None:
        """The message names the wait (seconds below a minute, else minutes)."""
        self.retry_after = max(1, retry_after)
        minutes = -(-self.retry_after // 60)
        wait = f"{self.retry_after} s" if self.retry_after < 60 else f"{minutes} min"
        super().__init__(
            f"Zbyt wiele błędnych prób. Spróbuj ponownie za {wait} albo zadzwoń do urzędu."
        )
