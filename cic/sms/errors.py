"""Why an SMS was not sent, in three kinds a sender acts on differently.

- ``SmsRecipientError``: this recipient cannot get it (a wrong or blacklisted number, a text
  the gateway refuses): record the failure and go on with the next one.
- ``SmsGatewayError``: nothing will go out through this gateway until someone acts (refused
  token, no credit left, an unknown sender name): stop sending, keep the queue, tell the
  supervisor.
- ``SmsTemporaryError``: the gateway is busy or down for now (HTTP 5xx, 429, a timeout): wait
  (``retry_after`` seconds when the gateway said) and send the same message again.
"""

from __future__ import annotations

from cic.errors import CicError


class SmsError(CicError):
    """Base of the SMS gateway's errors; ``code`` is the provider's own error number (0: none)."""

    status = 503
    error_id = "sms_error"
    default_message = "Bramka SMS nie przyjęła wiadomości."

    def __init__(self, message: str = "", *, code: int = 0, retry_after: float = 0.0) -> None:
        """``message`` in Polish for the supervisor; ``retry_after`` in seconds (0: unknown)."""
        super().__init__(message or self.default_message)
        self.code, self.retry_after = code, retry_after


class SmsRecipientError(SmsError):
    """This message to this number will never be accepted."""

    status = 400
    error_id = "sms_recipient"
    default_message = "Bramka SMS odrzuciła numer odbiorcy."


class SmsGatewayError(SmsError):
    """The gateway refuses every message until someone corrects the account (token, credit,
    sender name)."""

    error_id = "sms_gateway"
    default_message = "Bramka SMS odrzuca wszystkie wiadomości (konto, środki lub nadawca)."


class SmsTemporaryError(SmsError):
    """Worth sending again after a pause; ``throttled`` when the gateway said we send too fast
    (HTTP 429, SMSAPI's 202 and 203): slow down, the message itself is fine."""

    error_id = "sms_temporary"
    default_message = "Bramka SMS chwilowo nie odpowiada."

    @property
    def throttled(self) -> bool:
        """The gateway's rate limit, not a failure."""
        return self.code in THROTTLED


#: HTTP 429 and SMSAPI's "too many (simultaneous) requests".
THROTTLED = frozenset({429, 202, 203})
