"""Refusals of the notification store: clear Polish messages with stable ids."""

from __future__ import annotations

from cic.errors import AccessRefusal, CicError


class NotifyError(CicError):
    """A notification cannot be sent or changed as asked (the message says why)."""

    status = 400
    error_id = "notify_invalid"
    default_message = "Nie można wysłać powiadomienia."


class UnknownDelivery(NotifyError):
    """No such delivery (or its confirmation link is not valid)."""

    status = 404
    error_id = "notify_unknown_delivery"
    default_message = "Nie ma takiego powiadomienia."


class UnknownBatch(NotifyError):
    """No deliveries under that batch name."""

    status = 404
    error_id = "notify_unknown_batch"
    default_message = "Nie ma takiej partii powiadomień."


class NotifyForbidden(NotifyError, AccessRefusal):
    """Only supervisors read and stop batches of notifications."""

    status = 403
    error_id = "notify_forbidden"
    default_message = "Wyniki powiadomień widzą tylko kierownicy."
