"""Confirmation links of ``confirm=True`` messages sent by SMS or e-mail.

A link is ``<base>/e-urzad/potwierdz/<token>``; the token is the delivery's id in base 36 and
the first 12 characters (72 bits) of an HMAC-SHA256 of it, URL-safe base64: about 16 characters,
short enough for an SMS, and nobody can make one for another delivery without the key. The
key is derived from the credentials' form key, like the portal's form keys. Opening the link
shows a page with a button; only the POST of that page confirms (mail systems' link scanners
open links).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

PATH = "/e-urzad/potwierdz"
MAC_CHARS = 12
_TOKEN = re.compile(r"([0-9a-z]{1,10})-([A-Za-z0-9_-]{12})")


def confirm_key(form_key: bytes) -> bytes:
    """The links' own key (a token of another kind is never good here)."""
    return hmac.new(form_key, b"cic-notify-confirm", hashlib.sha256).digest()


class ConfirmLinks:
    """Makes and checks confirmation tokens; ``base`` is the portal's public address."""

    def __init__(self, key: bytes, base: str) -> None:
        """``key`` from ``confirm_key``."""
        if not key:
            raise ValueError("confirmation links need a key")
        self.key, self.base = key, base.rstrip("/")

    def token(self, delivery_id: int) -> str:
        """The token of ``delivery_id``."""
        ident = _base36(delivery_id)
        return f"{ident}-{self._mac(ident)}"

    def url(self, delivery_id: int) -> str:
        """The full link of ``delivery_id``."""
        return f"{self.base}{PATH}/{self.token(delivery_id)}"

    def delivery(self, token: str) -> int | None:
        """The delivery a token names, or ``None`` for anything forged, altered or malformed."""
        match = _TOKEN.fullmatch(token) if len(token) <= 40 else None
        if match is None:
            return None
        ident, mac = match.groups()
        if not hmac.compare_digest(mac, self._mac(ident)):
            return None
        return int(ident, 36)

    def _mac(self, ident: str) -> str:
        digest = hmac.new(self.key, ident.encode("ascii"), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode("ascii")[:MAC_CHARS]


def _base36(number: int) -> str:
    if number < 0:
        raise ValueError("a delivery id is not negative")
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if not number:
            return out
