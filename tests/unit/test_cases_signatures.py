"""Case signatures KOMÓRKA.JRWA.NR.ROK: valid and invalid examples, Polish messages."""

from __future__ import annotations

import pytest

from cic.cases.errors import InvalidSignature, InvalidValue
from cic.cases.signatures import (
    Signature,
    format_signature,
    is_signature,
    parse_signature,
    validate_unit,
)


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("FN.3110.12.2026", Signature("FN", "3110", 12, 2026)),
        ("FN-I.3110.1.2026", Signature("FN-I", "3110", 1, 2026)),
        ("OR-II-1.0052.7.2025", Signature("OR-II-1", "0052", 7, 2025)),
        ("GKiOŚ.6131.104.2026", Signature("GKiOŚ", "6131", 104, 2026)),
        ("USC.5360.3.2026", Signature("USC", "5360", 3, 2026)),
        ("W1.152.1.2026", Signature("W1", "152", 1, 2026)),
        (" FN.3110.12.2026 ", Signature("FN", "3110", 12, 2026)),
    ],
)
def test_valid_signatures_parse_and_format_back(text: str, parsed: Signature) -> None:
    assert parse_signature(text) == parsed
    assert str(parsed) == text.strip()
    assert is_signature(text)


def test_jrwa_symbols_stay_strings_with_leading_zeros() -> None:
    signature = parse_signature("FN.0052.3.2026")
    assert signature.jrwa == "0052" and isinstance(signature.jrwa, str)
    assert format_signature("FN", "0052", 3, 2026) == "FN.0052.3.2026"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "Podaj znak sprawy"),
        ("FN.3110.12", "cztery części"),
        ("FN.3110.12.2026.1", "cztery części"),
        ("123.3110.12.2026", "symbolem komórki"),
        ("F N.3110.12.2026", "symbolem komórki"),
        ("FN-.3110.12.2026", "symbolem komórki"),
        ("FN.31100.12.2026", "klasy JRWA"),
        ("FN.31a0.12.2026", "klasy JRWA"),
        ("FN.3110.0.2026", "numerem sprawy"),
        ("FN.3110.012.2026", "numerem sprawy"),
        ("FN.3110.-1.2026", "numerem sprawy"),
        ("FN.3110.12.26", "rokiem"),
        ("FN.3110.12.1066", "rokiem"),
        ("FN/3110/12/2026", "cztery części"),
        ("<script>.3110.1.2026", "symbolem komórki"),
        ("FN.3110.1.2026'; DROP TABLE cases;--", "rokiem"),
        ("FN😀.3110.1.2026", "symbolem komórki"),
        ("A" * 500, "najwyżej"),
    ],
)
def test_invalid_signatures_are_refused_in_polish(text: str, words: str) -> None:
    with pytest.raises(InvalidSignature) as raised:
        parse_signature(text)
    assert words in raised.value.message
    assert raised.value.status == 400 and raised.value.error_id == "invalid_signature"
    assert not is_signature(text)


@pytest.mark.parametrize("value", [None, 12, "", "12", "ABCDEFGHIJK", "FN_I", "FN--I"])
def test_bad_unit_codes(value: object) -> None:
    with pytest.raises(InvalidValue) as raised:
        validate_unit(value)
    assert "komórki" in raised.value.message


@pytest.mark.parametrize(("unit", "number"), [("FN", 0), ("FN", True), ("1", 3)])
def test_format_refuses_bad_parts(unit: str, number: int) -> None:
    with pytest.raises(InvalidValue):
        format_signature(unit, "3110", number, 2026)
