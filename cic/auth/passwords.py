"""Password hashing with argon2id (argon2-cffi), rehashing when the parameters change."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_HASHER = PasswordHasher()
_DUMMY_HASH = _HASHER.hash(secrets.token_urlsafe(16))

MIN_LENGTH = 10


def hash_password(password: str, hasher: PasswordHasher = _HASHER) -> str:
    """An argon2id hash of ``password`` (salted; the parameters are part of the string)."""
    return hasher.hash(password)


def verify_password(
    stored_hash: str, password: str, hasher: PasswordHasher = _HASHER
) -> tuple[bool, str | None]:
    """``(ok, new_hash)``: whether ``password`` matches; ``new_hash`` when it should be rehashed."""
    try:
        hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False, None
    if hasher.check_needs_rehash(stored_hash):
        return True, hasher.hash(password)
    return True, None


def burn_time(password: str, hasher: PasswordHasher = _HASHER) -> None:
    """Verify against a dummy hash so unknown users cost as much time as known ones."""
    verify_password(_DUMMY_HASH, password, hasher)


def generate_password() -> str:
    """A random password to hand out once (about 120 bits)."""
    return secrets.token_urlsafe(15)
