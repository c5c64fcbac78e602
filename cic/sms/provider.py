"""What a sender needs of an SMS operator: ``send`` one text to one number. Another operator
is another class of this shape, chosen by ``sms.provider``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class SentSms:
    """The gateway accepted the message: its id there, the parts it takes and what it cost
    (the operator's points, 0 when not said). ``duplicate``: the gateway had already sent a
    message with this idempotency key, nothing new went out."""

    gateway_id: str
    parts: int
    points: float = 0.0
    duplicate: bool = False


class Provider(Protocol):
    """An SMS operator's API."""

    name: str

    async def send(self, number: str, text: str, key: str) -> SentSms:
        """Send ``text`` to ``number`` (nine national digits). ``key`` identifies this message
        for the gateway so a retry after a lost answer does not send it twice. Raises
        ``SmsRecipientError``, ``SmsGatewayError`` or ``SmsTemporaryError``."""
        ...

    async def close(self) -> None:
        """Release the HTTP connections."""
        ...
