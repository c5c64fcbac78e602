"""The 6-digit PIN for "case status by phone": shown once on the receipt, stored as argon2."""

from __future__ import annotations

import secrets

from cic.auth.passwords import hash_password, verify_password

PIN_DIGITS = 6
DUMMY_PIN_HASH = hash_password(secrets.token_urlsafe(16))


def new_pin() -> str:
    """A random 6-digit PIN (leading zeros kept)."""
    return f"{secrets.randbelow(10**PIN_DIGITS):0{PIN_DIGITS}d}"


def hash_pin(pin: str) -> str:
    """The argon2id hash kept in ``cases.pin_hash``."""
    return hash_password(pin)


def check_pin(pin_hash: str, pin: str) -> bool:
    """True when ``pin`` matches the stored hash."""
    ok, _rehash = verify_password(pin_hash, pin)
    return ok
