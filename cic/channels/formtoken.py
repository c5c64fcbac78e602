"""The public web form's tokens: when the form was shown and a random nonce, signed with a key
from the credentials file, so the server keeps no state for a form someone merely opened.

A token says three things when it comes back with the message: the form came from this
office (the signature), a person had time to fill it in (older than ``min_seconds``) and did
not leave it for a day (younger than ``max_hours``). The nonce makes each token one message:
the form's adapter builds the message's id from it, and the intake stores a message id once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from cic.db import utcnow

VERSION = "v1"
MAX_TOKEN = 120
_TOKEN = re.compile(r"v1\.([0-9]{1,12})\.([0-9a-f]{32})\.([A-Za-z0-9_-]{43})")
Refusal = Literal["invalid", "too_fast", "expired"]


class TokenRefused(Exception):
    """The token cannot be accepted; ``reason`` says why (never shown as is)."""

    def __init__(self, reason: Refusal) -> None:
        """``reason``: invalid (not ours, altered), too_fast or expired."""
        super().__init__(reason)
        self.reason: Refusal = reason


@dataclass(frozen=True)
class FormToken:
    """A checked token: its nonce (32 hex digits) and when the form was shown."""

    nonce: str
    issued_at: datetime


class FormTokens:
    """Issues and checks tokens with ``key``; ``clock`` gives the time (tests set it)."""

    def __init__(
        self,
        key: bytes,
        *,
        min_seconds: int,
        max_hours: int,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        """A token is good from ``min_seconds`` after it was issued until ``max_hours``."""
        if not key:
            raise ValueError("form tokens need a secret key")
        self.key, self.min_seconds, self.max_seconds = key, min_seconds, max_hours * 3600
        self.clock = clock

    def issue(self) -> str:
        """A new token for a form shown now."""
        payload = f"{VERSION}.{int(self.clock().timestamp())}.{uuid.uuid4().hex}"
        return f"{payload}.{self._sign(payload)}"

    def check(self, token: str) -> FormToken:
        """The token's nonce and time, or ``TokenRefused``."""
        match = _TOKEN.fullmatch(token) if len(token) <= MAX_TOKEN else None
        if match is None:
            raise TokenRefused("invalid")
        issued, nonce, signature = match.groups()
        if not hmac.compare_digest(signature, self._sign(f"{VERSION}.{issued}.{nonce}")):
            raise TokenRefused("invalid")
        issued_at = datetime.fromtimestamp(int(issued), UTC)
        age = (self.clock() - issued_at).total_seconds()
        if age < self.min_seconds:
            raise TokenRefused("too_fast")
        if age > self.max_seconds:
            raise TokenRefused("expired")
        return FormToken(nonce, issued_at)

    def _sign(self, payload: str) -> str:
        digest = hmac.new(self.key, payload.encode("ascii"), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")
