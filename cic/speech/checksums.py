"""Check digits of Polish identifiers: PESEL, ID card (dowód osobisty), NIP, bank account
(NRB / PL IBAN) and the shape of Polish phone numbers. Inputs are strings of digits (and
letters for the ID card); every function returns False for anything malformed."""

from __future__ import annotations

import datetime as dt

_PESEL_WEIGHTS = (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)
_NIP_WEIGHTS = (6, 5, 7, 2, 3, 4, 5, 6, 7)
_ID_WEIGHTS = (7, 3, 1, 9, 7, 3, 1, 7, 3)
# PESEL encodes the century in the month: +80 for 1800s, +0 for 1900s, +20 for 2000s, ...
_CENTURY_BY_MONTH_OFFSET = {80: 1800, 0: 1900, 20: 2000, 40: 2100, 60: 2200}
_PL_IBAN_LETTERS = "2521"  # P = 25, L = 21


def pesel_birth_date(digits: str) -> dt.date | None:
    """The birth date encoded in a PESEL's first six digits, or None if it is no date."""
    if len(digits) < 6 or not digits[:6].isdigit():
        return None
    year, month, day = int(digits[0:2]), int(digits[2:4]), int(digits[4:6])
    offset = (month - 1) // 20 * 20 if month > 0 else -1
    century = _CENTURY_BY_MONTH_OFFSET.get(offset)
    if century is None:
        return None
    try:
        return dt.date(century + year, month - offset, day)
    except ValueError:
        return None


def is_pesel(digits: str, today: dt.date | None = None) -> bool:
    """11 digits, a valid birth date not after ``today`` and the right check digit."""
    if len(digits) != 11 or not digits.isdigit():
        return False
    born = pesel_birth_date(digits)
    if born is None or born > (today or dt.date.today()):
        return False
    total = sum(int(d) * w for d, w in zip(digits[:10], _PESEL_WEIGHTS, strict=True))
    return (10 - total % 10) % 10 == int(digits[10])


def is_nip(digits: str) -> bool:
    """10 digits whose weighted sum modulo 11 equals the last digit (10 is never valid)."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], _NIP_WEIGHTS, strict=True)) % 11
    return total != 10 and total == int(digits[9])


def is_id_card(series_and_number: str) -> bool:
    """3 letters and 6 digits of a Polish ID card; the 4th character is the check digit
    (weights 7,3,1 over letters A=10..Z=35 and digits, the check digit weighs 9)."""
    value = series_and_number.upper()
    if len(value) != 9 or not (value[:3].isascii() and value[:3].isalpha()):
        return False
    if not value[3:].isdigit():
        return False
    total = sum(int(char, 36) * w for char, w in zip(value, _ID_WEIGHTS, strict=True))
    return total % 10 == 0


def is_pl_account(digits: str) -> bool:
    """26 digits of a Polish account number (NRB), i.e. a PL IBAN without "PL": mod 97 == 1."""
    if len(digits) != 26 or not digits.isdigit():
        return False
    return int(digits[2:] + _PL_IBAN_LETTERS + digits[:2]) % 97 == 1


def is_phone(digits: str) -> bool:
    """A Polish phone number: 9 digits not starting with 0, optionally after 48, 0048 or 0."""
    for prefix in ("0048", "48", "0", ""):
        rest = digits[len(prefix) :]
        if digits.startswith(prefix) and len(rest) == 9 and rest.isdigit() and rest[0] != "0":
            return True
    return False
