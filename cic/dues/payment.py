"""How a statement's unpaid items are paid: the transfer's details as text and as a payment
QR code (``qr``), and amounts and dates written the Polish way."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cic.dues import nrb, qr
from cic.dues.service import DueLine, Statement

NBSP = "\u00a0"


@dataclass(frozen=True)
class Payee:
    """Who the transfers go to: the name and NIP in the settings (``dues.payee_*``)."""

    name: str
    nip: str


@dataclass(frozen=True)
class Payment:
    """One unpaid item ready to pay: ``code`` is the QR's text and ``image`` its SVG
    ``data:`` URI (both empty when the amount does not fit a code: over 9 999,99 zł)."""

    line: DueLine
    account: str
    amount: str
    title: str
    payee: str
    code: str
    image: str


def zloty(grosze: int) -> str:
    """``1 234,56 zł`` (a non-breaking space between thousands and before ``zł``)."""
    whole, part = divmod(grosze, 100)
    return f"{whole:,}".replace(",", NBSP) + f",{part:02d}{NBSP}zł"


def day(value: date) -> str:
    """``15.03.2026``, the date as Polish documents write it."""
    return value.strftime("%d.%m.%Y")


def payments(statement: Statement, payee: Payee) -> list[Payment]:
    """The unpaid items of ``statement`` with their transfer details and payment codes."""
    out = []
    for line in statement.items:
        if line.remaining <= 0:
            continue
        transfer = qr.Transfer(payee.nip, line.account, line.remaining, payee.name,
                               line.transfer_title)  # fmt: skip
        try:
            code = qr.payload(transfer)
        except qr.PaymentCodeError:
            code = ""
        out.append(Payment(
            line, nrb.grouped(line.account), zloty(line.remaining), line.transfer_title,
            payee.name, code, qr.svg_data_uri(code) if code else "",
        ))  # fmt: skip
    return out
