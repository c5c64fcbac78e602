"""The Polish bank account number (NRB): 26 digits, the first two check digits of its IBAN.

An NRB is the IBAN without the country code: ``PL`` + the 26 digits is valid when, with the
first four characters moved to the end and the letters replaced by numbers (P = 25, L = 21),
the number leaves 1 when divided by 97 (ISO 13616, mod-97).
"""

from __future__ import annotations

NRB_DIGITS = 26
_PL = "2521"  # P = 25, L = 21


def normalize(text: str) -> str:
    """``text`` without spaces, dashes and an optional ``PL`` prefix (not yet checked)."""
    compact = "".join(text.split()).replace("-", "")
    if compact[:2].upper() == "PL":
        compact = compact[2:]
    return compact


def check_digits_ok(nrb: str) -> bool:
    """True when the 26-digit ``nrb`` passes the IBAN mod-97 check."""
    if len(nrb) != NRB_DIGITS or not (nrb.isascii() and nrb.isdigit()):
        return False
    return int(nrb[2:] + _PL + nrb[:2]) % 97 == 1


def problem(text: str) -> str:
    """Why ``text`` is not an NRB (Polish, empty when it is one)."""
    nrb = normalize(text)
    if not nrb:
        return "brak numeru rachunku"
    if not (nrb.isascii() and nrb.isdigit()) or len(nrb) != NRB_DIGITS:
        return f"numer rachunku musi mieć {NRB_DIGITS} cyfr (ma {len(nrb)} znaków)"
    if not check_digits_ok(nrb):
        return "numer rachunku ma złe cyfry kontrolne (pomyłka w numerze)"
    return ""


def grouped(nrb: str) -> str:
    """``12 3456 7890 …``: two check digits, then groups of four, as on a transfer form."""
    return " ".join([nrb[:2], *(nrb[i : i + 4] for i in range(2, len(nrb), 4))])


def with_check_digits(body: str) -> str:
    """The NRB of the 24-digit ``body`` (bank's routing number + account): the check digits
    put in front (tests and sample files make their made-up accounts with it)."""
    check = 98 - int(body + _PL + "00") % 97
    return f"{check:02d}{body}"
