"""Errors of the transfers domain; each carries its HTTP status, a stable id, a Polish message."""

from __future__ import annotations

from typing import ClassVar

from cic.errors import CicError


class TransferError(CicError):
    """Base class of the transfers domain's errors."""

    status: ClassVar[int] = 500
    error_id: ClassVar[str] = "transfer_error"
    default_message: ClassVar[str] = "Nie udało się przekazać połączenia."


class TransferInProgress(TransferError):
    """The call already has an open transfer (another console, or a double click)."""

    status = 409
    error_id = "transfer_in_progress"
    default_message = (
        "To połączenie jest już przekazywane (inna konsola albo podwójne kliknięcie). "
        "Zakończ albo anuluj bieżące przekazanie."
    )


class TransferStateError(TransferError):
    """The command does not fit the transfer's current state."""

    status = 409
    error_id = "transfer_state"

    def __init__(self, state: str, step: str) -> None:
        """Name the state in the message."""
        from cic.transfers.machine import STATE_NAMES

        super().__init__(
            f"Nie można teraz wykonać tej operacji: stan przekazania to "
            f"„{STATE_NAMES.get(state, state)}”."
        )
        self.state = state
        self.step = step


class NoOpenTransfer(TransferError):
    """Complete/cancel was asked for a call without an open consult."""

    status = 409
    error_id = "no_open_transfer"
    default_message = "To połączenie nie jest teraz przekazywane."


class CallNotLive(TransferError):
    """The call is not connected to an agent right now (ended, waiting, unknown)."""

    status = 409
    error_id = "call_not_live"
    default_message = "Połączenie nie jest teraz prowadzone przez konsultanta."


class NobodyFree(TransferError):
    """A consult with a department queue found no member free right now."""

    status = 409
    error_id = "nobody_free"
    default_message = "Nikt z tej kolejki nie jest teraz wolny."


class InvalidTransfer(TransferError):
    """The request body is wrong: unknown kind, target, colleague or queue."""

    status = 400
    error_id = "invalid_transfer"


class NotYourCall(TransferError):
    """An agent or specialist asked to transfer a call they are not on."""

    status = 403
    error_id = "not_your_call"
    default_message = "To nie Twoja rozmowa: przekazać może ją tylko konsultant, który ją prowadzi."


class PbxRefused(TransferError):
    """Asterisk refused the transfer action (or AMI is down)."""

    status = 502
    error_id = "pbx_refused"
    default_message = "Centrala odrzuciła przekazanie połączenia. Rozmowa trwa bez zmian."
