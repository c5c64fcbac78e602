"""Errors of the mail clients, with Polish messages an official or administrator can act on."""

from __future__ import annotations

from cic.errors import CicError


class MailError(CicError):
    """Base of the mail clients' errors."""

    status = 503
    error_id = "mail_error"
    default_message = "Błąd poczty elektronicznej."


class MailConnectionError(MailError):
    """The server could not be reached or the connection broke (network, TLS, timeout, BYE):
    worth retrying with a backoff."""

    error_id = "mail_connection"
    default_message = "Brak połączenia z serwerem poczty."


class MailAuthError(MailError):
    """The server refused the account's credentials: retrying soon will not help; someone must
    correct the settings."""

    error_id = "mail_auth"
    default_message = "Serwer poczty odrzucił nazwę użytkownika lub hasło."


class MailSendError(MailError):
    """A message was not sent. ``temporary`` (4xx replies, connection trouble, timeouts) means
    sending it again later may succeed; otherwise (5xx) it will not. ``refused`` names the
    recipients the server turned down when only some of them were."""

    error_id = "mail_send"
    default_message = "Nie udało się wysłać wiadomości."

    def __init__(self, message: str, temporary: bool, refused: tuple[str, ...] = ()) -> None:
        """Keep whether the failure is temporary and which recipients were refused."""
        super().__init__(message)
        self.temporary = temporary
        self.refused = refused


class MailFolderError(MailError):
    """A configured folder does not exist on the server or cannot be opened: the settings
    need correcting."""

    error_id = "mail_folder"
    default_message = "Nie można otworzyć folderu poczty."
