"""Sending the office's mail through its SMTP server (aiosmtplib): submission with STARTTLS
(port 587) or implicit TLS (465), AUTH when the account has a username.

Every failure becomes ``MailSendError``: ``temporary`` for 4xx replies, connection trouble and
timeouts (send again later), permanent for 5xx replies (among them 535, refused credentials).
"""

from __future__ import annotations

import ssl
from email.message import EmailMessage

import aiosmtplib

from cic.mail.errors import MailSendError
from cic.mail.settings import SmtpAccount, tls_context

_CONNECTION_ERRORS = (
    aiosmtplib.SMTPServerDisconnected,
    aiosmtplib.SMTPConnectError,
    aiosmtplib.SMTPTimeoutError,
    OSError,
    ssl.SSLError,
)


def _is_temporary(code: int) -> bool:
    return 400 <= code < 500


class SmtpSender:
    """Sends messages through ``account``; one connection per ``send``."""

    def __init__(self, account: SmtpAccount) -> None:
        self.account = account

    async def send(self, message: EmailMessage, *, sender: str, recipients: list[str]) -> None:
        """Send ``message`` with envelope ``sender`` to ``recipients`` (Bcc headers are not
        transmitted). Returns once the server accepted it for every recipient."""
        if not recipients:
            raise ValueError("no recipients")
        account = self.account
        client = aiosmtplib.SMTP(
            hostname=account.host,
            port=account.port,
            username=account.username or None,
            password=account.password or None,
            use_tls=account.tls == "ssl",
            start_tls=account.tls == "starttls",
            tls_context=tls_context(account.ca_file) if account.tls != "none" else None,
            timeout=account.timeout,
        )
        try:
            async with client:
                refused, _ = await client.send_message(
                    message, sender=sender, recipients=recipients
                )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = {error.recipient: error.code for error in exc.recipients}
            raise self._refused(codes) from exc
        except aiosmtplib.SMTPResponseException as exc:
            raise MailSendError(
                self._where(f"serwer odpowiedział {exc.code} {exc.message}"),
                temporary=_is_temporary(exc.code),
            ) from exc
        except _CONNECTION_ERRORS as exc:
            raise MailSendError(self._where(f"brak połączenia ({exc})"), temporary=True) from exc
        except aiosmtplib.SMTPException as exc:
            raise MailSendError(self._where(str(exc)), temporary=False) from exc
        if refused:
            raise self._refused({rcpt: reply.code for rcpt, reply in refused.items()})

    def _refused(self, codes: dict[str, int]) -> MailSendError:
        listed = ", ".join(f"{rcpt} ({code})" for rcpt, code in codes.items())
        return MailSendError(
            self._where(f"odrzuceni odbiorcy: {listed}"),
            temporary=all(_is_temporary(code) for code in codes.values()),
            refused=tuple(codes),
        )

    def _where(self, reason: str) -> str:
        account = self.account
        return f"Nie udało się wysłać wiadomości przez {account.host}:{account.port}: {reason}."
