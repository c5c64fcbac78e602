"""Errors of the contact channels, each with its HTTP status, a stable error id and Polish text."""

from __future__ import annotations

from cic.errors import AccessRefusal, CicError


class ChannelError(CicError):
    """The base of every channel error."""

    status = 400
    error_id = "channel_error"
    default_message = "Błąd kanału kontaktu."


class InvalidMessage(ChannelError):
    """A reply or a change that cannot be accepted (the message says why)."""

    error_id = "invalid_message"
    default_message = "Nieprawidłowa wiadomość."


class TakenByOther(ChannelError):
    """Someone else is already answering this message."""

    status = 409
    error_id = "taken_by_other"
    default_message = "Tę wiadomość obsługuje już ktoś inny."


class NoReplyAddress(ChannelError):
    """The report has no e-mail address to answer to."""

    status = 409
    error_id = "no_reply_address"
    default_message = "To zgłoszenie nie ma adresu e-mail, na który można odpowiedzieć."


class AttachmentNotFound(ChannelError, AccessRefusal):
    """No such attachment, or one this user may not open (answered the same)."""

    status = 404
    error_id = "attachment_not_found"
    default_message = "Nie znaleziono załącznika."


class AttachmentMissing(ChannelError):
    """The attachment was not kept (rejected) or its file is gone."""

    status = 410
    error_id = "attachment_missing"
    default_message = "Treść tego załącznika nie jest przechowywana."
