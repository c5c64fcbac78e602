"""PESEL numbers: checked (11 digits, checksum, a real date of birth in the encoded century)
and turned into a keyed digest, the only form the register keeps.

Transcripts redact PESEL numbers, so the register may not keep them either: it keeps
``HMAC-SHA256(key, pesel)`` with a secret key from the credentials file, enough to find the
person again when they give the number at the desk, useless without the key (the numbers
are few enough that a plain hash would be reversed by trying them all). Nothing here logs,
stores or returns the number; error messages never quote it. Losing the key makes the stored
digests unfindable (each resident's PESEL would have to be given again).
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date

WEIGHTS = (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)
#: The month's tens encode the century: +80 for the 1800s, +0 the 1900s, +20 the 2000s, ...
CENTURIES = {0: 1900, 20: 2000, 40: 2100, 60: 2200, 80: 1800}
NOT_A_PESEL = "to 11 cyfr"
BAD_CHECKSUM = "niepoprawny numer (nie zgadza się cyfra kontrolna)"
BAD_DATE = "niepoprawny numer (nie zawiera prawdziwej daty urodzenia)"


class InvalidPesel(ValueError):
    """Not a valid PESEL; the message (Polish, to follow „PESEL: ”) says why without
    repeating the number."""


def looks_like_pesel(text: str) -> bool:
    """True for 11 ASCII digits (spaces ignored): what a person typing a PESEL gives."""
    digits = "".join(text.split())
    return len(digits) == 11 and digits.isascii() and digits.isdigit()


def checksum_digit(first_ten: str) -> int:
    """The control digit of the first ten digits."""
    total = sum(int(d) * w for d, w in zip(first_ten, WEIGHTS, strict=True))
    return (10 - total % 10) % 10


def birth_date(pesel: str) -> date:
    """The date of birth a PESEL encodes (``InvalidPesel`` if it is not a real date)."""
    year, month, day = int(pesel[0:2]), int(pesel[2:4]), int(pesel[4:6])
    offset = (month // 20) * 20
    try:
        return date(CENTURIES[offset] + year, month - offset, day)
    except (KeyError, ValueError):
        raise InvalidPesel(BAD_DATE) from None


def parse_pesel(raw: object, today: date | None = None) -> str:
    """The PESEL as 11 digits (spaces removed), else ``InvalidPesel``; with ``today`` given, a
    date of birth after it is refused too."""
    text = "".join(raw.split()) if isinstance(raw, str) else ""
    if len(text) != 11 or not text.isascii() or not text.isdigit():
        raise InvalidPesel(NOT_A_PESEL)
    if checksum_digit(text[:10]) != int(text[10]):
        raise InvalidPesel(BAD_CHECKSUM)
    born = birth_date(text)
    if today is not None and born > today:
        raise InvalidPesel(BAD_DATE)
    return text


def is_valid_pesel(raw: object) -> bool:
    """True when :func:`parse_pesel` accepts ``raw``."""
    try:
        parse_pesel(raw)
    except InvalidPesel:
        return False
    return True


def pesel_digest(pesel: str, key: bytes) -> str:
    """``HMAC-SHA256(key, pesel)`` in hex: what the register keeps (``pesel`` already parsed)."""
    if not key:
        raise ValueError("a PESEL digest needs a secret key")
    return hmac.new(key, pesel.encode("ascii"), hashlib.sha256).hexdigest()
