"""The payment QR code of Polish banks: the ZBP recommendation "Standard 2D" (2013).

A banking app that scans it fills a domestic transfer in. The code holds one line of UTF-8
text, nine fields separated by ``|`` (at most 160 characters in all)::

    NIP|PL|ACCOUNT|AMOUNT|NAME|TITLE|||

1. the payee's NIP: 10 digits, or empty;
2. the country of the account: ``PL``;
3. the payee's account: the 26-digit NRB;
4. the amount in grosze: exactly 6 digits, zero-padded (so at most 9 999,99 zł);
5. the payee's name: at most 20 characters;
6. the transfer's title: at most 32 characters;
7. to 9. reserved (a direct-debit id of up to 20 characters, an Invoobill id of up to 12,
   and 24 more): left empty here.

The code is a QR code with error correction level L in byte mode, drawn with ``segno`` as
SVG; the recommendation asks for at least 1.8 cm (250 px) on screen.
"""

from __future__ import annotations

from dataclasses import dataclass

import segno

from cic.dues.nrb import check_digits_ok

SEPARATOR = "|"
NIP_LENGTH, COUNTRY, AMOUNT_DIGITS = 10, "PL", 6
NAME_LENGTH, TITLE_LENGTH, MAX_PAYLOAD = 20, 32, 160
MAX_GROSZE = 10**AMOUNT_DIGITS - 1
#: What the text fields may hold: letters (Polish ones too), digits, space and a few marks
#: banking apps take; anything else (``|`` above all) becomes a space.
_MARKS = set(" ,.-/@#&*_")
_POLISH = set("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ")


class PaymentCodeError(ValueError):
    """The transfer cannot be put into a payment code (the message says why)."""


def clean(text: str, limit: int) -> str:
    """``text`` with only the characters the code takes, spaces collapsed, cut to ``limit``."""
    kept = "".join(
        ch if (ch.isascii() and ch.isalnum()) or ch in _POLISH or ch in _MARKS else " "
        for ch in text
    )
    return " ".join(kept.split())[:limit].rstrip()


@dataclass(frozen=True)
class Transfer:
    """One domestic transfer: ``account`` a 26-digit NRB, ``grosze`` the amount."""

    nip: str
    account: str
    grosze: int
    name: str
    title: str


def payload(transfer: Transfer) -> str:
    """The text of the payment code of ``transfer``; ``PaymentCodeError`` when a field cannot
    be written (an amount over 9 999,99 zł, a bad account or NIP, an empty name or title)."""
    nip = transfer.nip
    if nip and (len(nip) != NIP_LENGTH or not (nip.isascii() and nip.isdigit())):
        raise PaymentCodeError("NIP odbiorcy to 10 cyfr")
    if not check_digits_ok(transfer.account):
        raise PaymentCodeError("zły numer rachunku")
    if not 0 <= transfer.grosze <= MAX_GROSZE:
        raise PaymentCodeError("kod QR mieści kwoty do 9 999,99 zł")
    name, title = clean(transfer.name, NAME_LENGTH), clean(transfer.title, TITLE_LENGTH)
    if not name or not title:
        raise PaymentCodeError("brak nazwy odbiorcy albo tytułu przelewu")
    fields = (nip, COUNTRY, transfer.account, f"{transfer.grosze:0{AMOUNT_DIGITS}d}", name,
              title, "", "", "")  # fmt: skip
    text = SEPARATOR.join(fields)
    assert len(text) <= MAX_PAYLOAD  # the field limits keep it at 104 characters at most
    return text


def code(text: str) -> segno.QRCode:
    """The QR code of ``text``: error correction level L, the text as UTF-8 bytes."""
    return segno.make(text, error="l", encoding="utf-8", micro=False, boost_error=False)


def svg_data_uri(text: str) -> str:
    """The QR code of ``text`` as an SVG ``data:`` URI for an ``img`` (a 4-module quiet zone)."""
    return str(code(text).svg_data_uri(scale=4, border=4, dark="#000", light="#fff"))
