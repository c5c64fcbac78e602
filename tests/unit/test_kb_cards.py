"""Service cards in the articles' front matter: checked field by field with clear Polish errors;
the body shown publicly loses the sections written for staff."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cic.kb.cards import check_card, public_body
from cic.kb.errors import InvalidArticle
from cic.kb.importer import parse, read_dir

GOOD: dict[str, Any] = {
    "summary": "Zaświadczenie o niezaleganiu w podatkach.",
    "documents": ["Wniosek.", "Dowód osobisty (do wglądu)."],
    "fees": "21 zł opłaty skarbowej.",
    "duration": "Do 7 dni.",
    "how_to_file": ["osobiscie", "poczta", "epuap"],
    "online": [{"title": "gov.pl", "url": "https://www.gov.pl/"}],
    "forms": [{"file": "wniosek-o-zaswiadczenie.odt", "title": "Wniosek"}],
    "legal_basis": ["Ustawa z dnia 29 sierpnia 1997 r. — Ordynacja podatkowa."],
}


def test_a_complete_card_is_accepted_as_written() -> None:
    card = check_card(GOOD)
    assert card.summary == GOOD["summary"]
    assert card.documents == ("Wniosek.", "Dowód osobisty (do wglądu).")
    assert [f.file for f in card.forms] == ["wniosek-o-zaswiadczenie.odt"]
    assert [code for code, _label in card.filing()] == ["osobiscie", "poczta", "epuap"]
    assert card.online[0].url == "https://www.gov.pl/"


def test_optional_fields_may_be_left_out() -> None:
    card = check_card({k: GOOD[k] for k in ("summary", "fees", "duration", "how_to_file",
                                            "legal_basis")})  # fmt: skip
    assert (card.documents, card.forms, card.online) == ((), (), ())


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"summary": ""}, "„summary” musi być niepustym tekstem"),
        ({"fees": None}, "„fees” musi być niepustym tekstem"),
        ({"duration": 5}, "„duration” musi być niepustym tekstem"),
        ({"how_to_file": ["faks"]}, "„how_to_file” to lista bez powtórzeń z: osobiscie"),
        ({"how_to_file": ["poczta", "poczta"]}, "bez powtórzeń"),
        ({"how_to_file": []}, "„how_to_file” ma od 1"),
        ({"legal_basis": []}, "„legal_basis” ma od 1"),
        ({"documents": ["", "x"]}, "„documents” musi być listą niepustych tekstów"),
        ({"forms": [{"file": "../../etc/passwd", "title": "x"}]}, "plik formularza"),
        ({"forms": [{"file": "Wniosek.ODT", "title": "x"}]}, "plik formularza"),
        ({"forms": [{"file": "wniosek.exe", "title": "x"}]}, "plik formularza"),
        ({"forms": [{"file": "wniosek.odt"}]}, "dokładnie pola file i title"),
        ({"online": [{"title": "x", "url": "http://example.org"}]}, "https://"),
        ({"online": [{"title": "x", "url": "javascript:alert(1)"}]}, "https://"),
        ({"sumary": "literówka"}, "nieznane pola sumary"),
    ],
)  # fmt: skip
def test_a_wrong_field_is_refused_with_a_message_naming_it(
    change: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidArticle, match=message):
        check_card({**GOOD, **change})


def test_a_card_that_is_not_a_mapping_is_refused() -> None:
    with pytest.raises(InvalidArticle, match="„card”"):
        check_card(["summary"])


ARTICLE = """---
id: zaswiadczenie-testowe
title: Zaświadczenie testowe
department: FN
topics: [zaswiadczenia]
keywords: [zaświadczenie]
updated: 2026-11-28
needs_local_check: true
local_check: Tajna notatka urzędu.
{card}---
## Czego dotyczy

Opis sprawy.
"""


def test_the_importer_checks_the_card_with_the_rest_of_the_front_matter() -> None:
    card = "card:\n  summary: Opis.\n  fees: Bez opłat.\n  duration: Od ręki.\n"
    with pytest.raises(InvalidArticle, match="how_to_file"):
        parse(ARTICLE.format(card=card))
    article = parse(ARTICLE.format(card=card + "  how_to_file: [osobiscie]\n"
                                   "  legal_basis: [Ustawa.]\n"))  # fmt: skip
    assert article.front_matter["card"]["summary"] == "Opis."
    assert "card" not in parse(ARTICLE.format(card="")).front_matter


def test_a_card_naming_a_form_file_that_is_not_there_is_reported(tmp_path: Path) -> None:
    card = ("card:\n  summary: Opis.\n  fees: Bez opłat.\n  duration: Od ręki.\n"
            "  how_to_file: [poczta]\n  legal_basis: [Ustawa.]\n"
            "  forms: [{file: brak-pliku.odt, title: Wniosek}]\n")  # fmt: skip
    (tmp_path / "a.md").write_text(ARTICLE.format(card=card), encoding="utf-8")
    found, errors = read_dir(tmp_path)
    assert found == [] and len(errors) == 1
    assert "brak pliku formularza brak-pliku.odt" in errors[0]
    (tmp_path / "formularze").mkdir()
    (tmp_path / "formularze" / "brak-pliku.odt").write_bytes(b"x")
    found, errors = read_dir(tmp_path)
    assert errors == [] and [a.slug for a, _ in found] == ["zaswiadczenie-testowe"]


BODY = """## Czego dotyczy

Publiczny opis.

## Wskazówki dla konsultanta

- Tylko dla pracowników: sprawdź tożsamość.

### Podsekcja wskazówek

Też wewnętrzna.

## Opłaty

21 zł.

## **Co powiedzieć dzwoniącemu**

Wewnętrzne zdanie.

## Wewnętrzne: procedura

Kolejne wewnętrzne zdanie.

## Gdzie załatwić

**FN**.
"""


def test_the_public_body_leaves_out_the_sections_for_staff() -> None:
    public = public_body(BODY)
    assert "Publiczny opis." in public and "21 zł." in public and "**FN**." in public
    for internal in (
        "Wskazówki",
        "Tylko dla pracowników",
        "Podsekcja",
        "Też wewnętrzna",
        "Co powiedzieć",
        "Wewnętrzne zdanie",
        "procedura",
        "Kolejne wewnętrzne",
    ):
        assert internal not in public  # fmt: skip
    assert "Gdzie załatwić" not in public_body(BODY, frozenset({"gdzie załatwić"}))
