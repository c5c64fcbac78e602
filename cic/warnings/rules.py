"""The pure rules of warnings: who gets a warning for an area, which numbers are mobiles,
confirmation codes, the length of a warning's short text. No I/O."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from datetime import datetime

#: The first two digits of Polish mobile numbers (UKE's numbering plan): SMS goes only there.
MOBILE_PREFIXES = ("45", "50", "51", "53", "57", "60", "66", "69", "72", "73", "78", "79", "88")
CODE_DIGITS = 6


def covers(warning_area: Sequence[str], subscribed: Sequence[str]) -> bool:
    """Whether a subscription for ``subscribed`` sołectwa (empty: the whole gmina) gets a
    warning for ``warning_area`` (empty: the whole gmina, which concerns everyone)."""
    if not warning_area or not subscribed:
        return True
    return bool(set(warning_area) & set(subscribed))


def is_mobile(number: str) -> bool:
    """Whether a nine-digit national number is a mobile (one that takes an SMS)."""
    return len(number) == 9 and number.isdigit() and number.startswith(MOBILE_PREFIXES)


def new_code() -> str:
    """A fresh six-digit confirmation code."""
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def code_hash(key: bytes, subscription_id: int, code: str) -> str:
    """What is stored of a code: an HMAC bound to the subscription (six digits alone would
    be found from a bare hash in a moment)."""
    message = f"cic-warning-code:{subscription_id}:{code}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def code_matches(key: bytes, subscription_id: int, code: str, stored: str) -> bool:
    """Whether ``code`` is the one whose hash is ``stored`` (constant time)."""
    if not stored or not (code.isascii() and code.isdigit() and len(code) == CODE_DIGITS):
        return False
    return hmac.compare_digest(code_hash(key, subscription_id, code), stored)


def spoken_code(code: str) -> str:
    """A code read out digit by digit, twice, for a call."""
    words = ("zero", "jeden", "dwa", "trzy", "cztery", "pięć", "sześć", "siedem", "osiem",
             "dziewięć")  # fmt: skip
    said = ", ".join(words[int(d)] for d in code)
    return f"Twój kod potwierdzenia to: {said}. Powtarzam: {said}."


def shown_state(state: str, valid_until: datetime, now: datetime) -> str:
    """The state residents and staff see: a sent warning past its end is ``wygasle``."""
    if state == "wyslane" and valid_until <= now:
        return "wygasle"
    return state


def is_current(state: str, valid_from: datetime, valid_until: datetime, now: datetime) -> bool:
    """Whether a warning is in force now (sent, begun, not ended, not cancelled)."""
    return state == "wyslane" and valid_from <= now < valid_until
