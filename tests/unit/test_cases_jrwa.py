"""JRWA lists: the built-in subset and an office's own list in YAML or CSV."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from cic.cases import jrwa
from cic.cases.errors import InvalidValue


def test_builtin_subset_covers_what_residents_call_about() -> None:
    classes = {c.symbol: c for c in jrwa.builtin()}
    for symbol in ("1431", "1510", "3110", "3111", "6131", "6730", "0002"):
        assert symbol in classes
    assert classes["1431"].name == "Udostępnianie informacji publicznej"
    assert all(isinstance(c.symbol, str) and c.name and c.category for c in classes.values())
    raw = yaml.safe_load(jrwa.BUILTIN.read_text(encoding="utf-8"))
    assert raw["needs_local_check"] is True
    assert "WYCINEK" in jrwa.BUILTIN.read_text(encoding="utf-8")


def test_yaml_list_keeps_leading_zeros() -> None:
    classes = jrwa.parse_yaml('- {symbol: "0052", name: "Próba", category: A}\n')
    assert classes == [jrwa.JrwaClass("0052", "Próba", "A")]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("- {symbol: 52, name: x, category: A}", "w cudzysłowie"),
        ('- {symbol: "12345", name: x, category: A}', "od 1 do 4 cyfr"),
        ('- {symbol: "1", name: "", category: A}', "hasło klasy"),
        ('- {symbol: "1", name: x, category: Z9}', "kategoria"),
        ('- {symbol: "1", name: x}\n- {symbol: "1", name: y}', "dwa razy"),
        ("[]", "żadnej klasy"),
        ("symbol: [", "YAML"),
        ("42", "lista klas"),
        ("- tekst", "pozycja 1"),
    ],
)
def test_bad_yaml_lists_are_refused_in_polish(text: str, words: str) -> None:
    with pytest.raises(InvalidValue) as raised:
        jrwa.parse_yaml(text)
    assert words in raised.value.message


def test_csv_with_header_and_other_delimiters(tmp_path: Path) -> None:
    listing = tmp_path / "wykaz.csv"
    listing.write_text("symbol,hasło,kategoria\n3110,Podatek od nieruchomości,BE5\n0052,Próba,A\n")
    assert [c.symbol for c in jrwa.parse_file(listing)] == ["3110", "0052"]
    tabbed = tmp_path / "tab.csv"
    tabbed.write_text("1431\tUdostępnianie informacji publicznej\tA\n", encoding="utf-8")
    assert jrwa.parse_file(tabbed)[0].name == "Udostępnianie informacji publicznej"
    with pytest.raises(InvalidValue) as raised:
        jrwa.parse_file(tmp_path / "nie-ma.yaml")
    assert "Nie można odczytać" in raised.value.message
