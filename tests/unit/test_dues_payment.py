"""The statement's payments: Polish amounts, only unpaid items, no code for an amount the ZBP
code cannot hold; and the payee's settings (a valid NIP or none)."""

from __future__ import annotations

from datetime import date

import pytest

from cic.config import ConfigError, load_settings
from cic.dues.payment import Payee, payments, zloty
from cic.dues.service import DueLine, Statement

ACCOUNT = "61109010140000071219812874"


def line(item_id: str, amount: int, paid: int = 0) -> DueLine:
    return DueLine(item_id, f"Tytuł {item_id}", amount, paid, date(2026, 3, 15), ACCOUNT,
                   f"P-1 {item_id}", overdue=False)  # fmt: skip


def test_amounts_are_written_the_polish_way() -> None:
    assert zloty(0) == "0,00\u00a0zł"
    assert zloty(5) == "0,05\u00a0zł"
    assert zloty(123456789) == "1\u00a0234\u00a0567,89\u00a0zł"


def test_only_unpaid_items_are_paid_and_a_big_one_gets_no_code() -> None:
    statement = Statement("P-1", "A. T.", (
        line("paid", 5000, 5000), line("part", 5000, 1000), line("big", 1_000_000),
    ))  # fmt: skip
    assert statement.total == 4000 + 1_000_000
    part, big = payments(statement, Payee("Urząd Gminy Testowo", ""))
    assert part.line.item_id == "part" and part.amount == "40,00\u00a0zł"
    assert part.code == f"|PL|{ACCOUNT}|004000|Urząd Gminy Testowo|P-1 part|||"
    assert part.image.startswith("data:image/svg+xml")
    assert part.account == "61 1090 1014 0000 0712 1981 2874"
    assert big.code == "" and big.image == "" and big.amount == "10\u00a0000,00\u00a0zł"


def test_the_payee_nip_is_checked_and_its_dashes_dropped() -> None:
    settings = load_settings(environ={"CIC_DUES__PAYEE_NIP": "111-111-11-11"})
    assert settings.dues.payee_nip == "1111111111"
    with pytest.raises(ConfigError, match=r"dues\.payee_nip"):
        load_settings(environ={"CIC_DUES__PAYEE_NIP": "1111111112"})
    with pytest.raises(ConfigError, match=r"dues\.payee_name"):
        load_settings(environ={"CIC_DUES__PAYEE_NAME": "Gmina | Test"})
