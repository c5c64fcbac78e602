"""The address register on SQLite and PostgreSQL: the PRG CSV import (malformed rows
rejected by line with a Polish reason, the same file twice changes nothing, the command's
exit codes) and the geocoder on what agents and residents type."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from cic.addresses import cli, importer, prg
from cic.addresses.errors import ImportRefused
from cic.addresses.service import AddressBook
from cic.config import Settings
from cic.db import Store
from cic.errors import CommandError

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "addresses" / "gmina_debowka.csv"
HEADER = "idIIP;miejscowosc;ulica;numerPorzadkowy;kodPocztowy;status;x;y;solectwo"
LIMITS = {"max_bytes": 5_000_000, "max_rows": 1000}


@pytest.fixture
async def book(db_url: str) -> AsyncIterator[AddressBook]:
    store = Store(db_url)
    store.migrate()
    report = importer.load(store, prg.parse(SAMPLE.read_bytes(), **LIMITS))
    assert (report.added, report.rejected) == (69, [])
    yield AddressBook(store)
    await store.close()


def test_malformed_rows_are_rejected_by_line_and_the_rest_loads(db_url: str) -> None:
    rows = [
        HEADER,
        "A1;Dębówka;Lipowa;101;05-123;istniejacy;505518.45;629251.77;Dębówka",
        "A2;;Lipowa;102;05-123;istniejacy;505518.45;629251.77;Dębówka",
        "A3;Dębówka;Lipowa;;05-123;istniejacy;505518.45;629251.77;Dębówka",
        "A4;Dębówka;Lipowa;1 OR 1=1 --;05-123;istniejacy;505518.45;629251.77;Dębówka",
        "A5;Dębówka;Lipowa;104;5123;istniejacy;505518.45;629251.77;Dębówka",
        "A6;Dębówka;Lipowa;105;05-123;istniejacy;abc;629251.77;Dębówka",
        "A7;Dębówka;Lipowa;106;05-123;istniejacy;52.4015;20.902;Dębówka",
        "A8;Dębówka;Lipowa;107;05-123;wycofany;505518.45;629251.77;Dębówka",
        "A9;Dębówka;Lipowa;108;05-123;istniejacy;505518.45",
        "A1;Dębówka;Lipowa;109;05-123;istniejacy;505518.45;629251.77;Dębówka",
        "A10;" + "D" * 300 + ";Lipowa;110;05-123;istniejacy;505518.45;629251.77;Dębówka",
        "A11;../../etc/passwd;;1;;istniejacy;505518.45;629251.77;",
    ]
    parsed = prg.parse("\n".join(rows).encode("utf-8"), **LIMITS)
    reasons = {r.line: r.reason for r in parsed.rejected}
    assert reasons == {
        3: "brak nazwy miejscowości",
        4: "brak numeru porządkowego",
        5: "niepoprawny numer porządkowy „1 OR 1=1 --” (np. 5, 12A, 7/2)",
        6: "niepoprawny kod pocztowy „5123” (wzór 00-000)",
        7: "niepoprawne współrzędne (liczby, np. 505484.38)",
        8: "współrzędne poza Polską (czy kolumny x i y nie są zamienione?)",
        9: "adres o statusie „wycofany” (nieaktualny)",
        10: "zła liczba kolumn (7 zamiast 9)",
        11: "powtórzony punkt adresowy (pierwszy w wierszu 2)",
        12: "za długa wartość w kolumnie place (najwyżej 100 znaków)",
    }
    store = Store(db_url)
    store.migrate()
    report = importer.load(store, parsed)
    assert (report.added, report.changed, len(report.rejected)) == (2, 0, 10)
    store.engine.dispose()


def test_the_same_file_twice_changes_nothing_and_a_moved_point_is_changed(db_url: str) -> None:
    store = Store(db_url)
    store.migrate()
    data = SAMPLE.read_bytes()
    first = importer.load(store, prg.parse(data, **LIMITS))
    again = importer.load(store, prg.parse(data, **LIMITS))
    assert (first.added, again.added, again.changed, again.unchanged) == (69, 0, 0, 69)
    lines = data.decode().splitlines()
    lines[1] = lines[1].replace("505518.45", "505520.45")
    moved = importer.load(store, prg.parse("\n".join(lines).encode("cp1250"), **LIMITS))
    assert (moved.added, moved.changed, moved.unchanged, moved.encoding) == (0, 1, 68, "cp1250")
    store.engine.dispose()


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"", "pusty"),
        (b"\x00\x01\x02binary", "nie jest plik tekstowy"),
        (b"miejscowosc;ulica\nDebowka;Lipowa\n", "Brak kolumn: numer porządkowy, współrzędne"),
        (("x" * 6_000_000).encode(), "za duży"),
    ],
)
def test_a_file_that_is_not_an_address_file_is_refused_whole(data: bytes, says: str) -> None:
    with pytest.raises(ImportRefused) as refused:
        prg.parse(data, **LIMITS)
    assert says in refused.value.message


def test_the_command_exits_0_then_3_then_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(state_dir=str(tmp_path))
    args = type("Args", (), {"file": SAMPLE, "format": None})()
    assert cli.run(settings, args) == 0  # type: ignore[arg-type]
    assert json.loads(capsys.readouterr().out)["added"] == 69
    bad = tmp_path / "zle.csv"
    bad.write_text(HEADER + "\nB1;Dębówka;Lipowa;x;;istniejacy;1;2;\n", encoding="utf-8")
    args.file = bad
    assert cli.run(settings, args) == 3  # type: ignore[arg-type]
    assert json.loads(capsys.readouterr().out)["rejected"][0]["line"] == 2
    bad.write_text("nic;tu;nie;ma\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Brak kolumn"):
        cli.run(settings, args)  # type: ignore[arg-type]
    args.file = tmp_path / "nie-ma.csv"
    with pytest.raises(CommandError, match="nie można odczytać"):
        cli.run(settings, args)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "typed",
    [
        "Lipowa 5, Dębówka",
        "ul. Lipowa 5 Dębówka",
        "UL.LIPOWA 5, DEBOWKA",
        "Dębówka, Lipowa 5",
        "  lipowa   5  debowka ",
        "ul. Lipowa 5 m. 3, 05-123 Dębówka",
        "Lipowa nr 5/2, Dębówka",
    ],
)
async def test_typed_addresses_become_the_same_point(book: AddressBook, typed: str) -> None:
    point = await book.locate(typed)
    assert point is not None
    assert (point.label, point.solectwo) == ("Lipowa 5, Dębówka", "Dębówka")
    assert point.lat == pytest.approx(52.4015, abs=1e-5)
    assert point.lon == pytest.approx(20.902, abs=1e-5)


async def test_villages_without_streets_letters_and_ambiguity(book: AddressBook) -> None:
    village = await book.locate("zielona laka 12")
    assert village is not None and village.label == "Zielona Łąka 12"
    part = await book.locate("Kolonia Bór 3")
    assert part is not None and part.solectwo == "Stary Bór"
    seven = await book.locate("Lipowa 7a Dębówka")
    assert seven is not None and seven.label == "Lipowa 7A, Dębówka"
    assert await book.locate("Lipowa 5") is None  # two places have a Lipowa 5
    polna = await book.locate("Polna 3")  # only Dębówka has one
    assert polna is not None and polna.label == "Polna 3, Dębówka"
    assert await book.locate("Dębówka nr 12") is None  # Dębówka has streets
    assert (await book.locate("Zielona Łąka nr 12, 05-124")) == village
    for unknown in ("Lipowa 99, Dębówka", "Dębówka", "Nieistniejąca 5", "", "5 6 Dębówka",
                    "'; DROP TABLE address_points; --", "../../etc/passwd 1"):  # fmt: skip
        assert await book.locate(unknown) is None
    assert await book.locate("Lipowa 5 " + "x" * 300) is None
    assert await book.locate("Lipowa\x00 5") is None
    assert await book.suggest("Lipowa\x00 5") == []


async def test_suggestions_while_typing(book: AddressBook) -> None:
    found = await book.suggest("lip 1 deb")
    assert [p.label for p in found][:4] == [
        "Lipowa 1, Dębówka", "Lipowa 10, Dębówka", "Lipowa 11, Dębówka", "Lipowa 12, Dębówka",
    ]  # fmt: skip
    assert [p.label for p in await book.suggest("zielona 2", limit=3)] == [
        "Zielona Łąka 2",
        "Zielona Łąka 20",
    ]  # fmt: skip (words match from their start: 12 is not "2…")
    assert await book.suggest("%") == [] and await book.suggest("x") == []
    assert await book.suggest("_ _ _") == []


def test_the_gml_form_loads_the_same_points(db_url: str) -> None:
    store = Store(db_url)
    store.migrate()
    data = (SAMPLE.parent / "stary_bor.gml").read_bytes()
    parsed = prg.parse(data, form="gml", **LIMITS)
    assert [(r.line, r.reason) for r in parsed.rejected] == [(132, "brak numeru porządkowego")]
    first = importer.load(store, parsed)
    assert (first.added, first.encoding) == (8, "xml")
    # the same points from the CSV have the same keys; the register's GML has no sołectwo, so
    # Kolonia Bór's five points were their own place's until the CSV says "Stary Bór"
    again = importer.load(store, prg.parse(SAMPLE.read_bytes(), **LIMITS))
    assert (again.added, again.changed, again.unchanged) == (61, 5, 3)
    # and a later GML keeps the sołectwo the office set
    third = importer.load(store, prg.parse(data, form="gml", **LIMITS))
    assert (third.added, third.changed, third.unchanged) == (0, 0, 8)
    store.engine.dispose()


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"<a><b></a>", "Niepoprawny plik GML"),
        (b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>', "DTD"),
        (b"<gml:FeatureCollection xmlns:gml='g'/>", "nie ma obiektów"),
    ],
)
def test_bad_gml_is_refused_whole(data: bytes, says: str) -> None:
    with pytest.raises(ImportRefused, match=says):
        prg.parse(data, form="gml", **LIMITS)
