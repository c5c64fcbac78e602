"""Reading the dues file: CSV and XML, good rows loaded and bad ones rejected with their line
and a Polish reason, and whole files refused (empty, huge, not UTF-8 nor windows-1250,
missing columns, broken XML)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cic.dues import fileformat
from cic.dues.errors import ImportRefused

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "tests" / "fixtures" / "dues"
HEADER = "identyfikator;numer_platnika;pin;nazwa_platnika;tytul;kwota;wplacono;termin;rachunek"
ACCOUNT = "42102055610000300200000101"
GOOD = f"N-1;A-1;4711;Anna Testowska;Podatek od nieruchomości 2026;123,45;;2026-03-15;{ACCOUNT}"


def parse(data: bytes | str, kind: fileformat.Format | None = None, **limits: int) -> (
    fileformat.ParsedFile
):  # fmt: skip
    raw = data.encode() if isinstance(data, str) else data
    return fileformat.parse(raw, kind, max_bytes=limits.get("max_bytes", 10**6),
                            max_rows=limits.get("max_rows", 100))  # fmt: skip


def csv(*lines: str) -> str:
    return "\n".join([HEADER, *lines]) + "\n"


def reasons(parsed: fileformat.ParsedFile) -> list[tuple[int, str]]:
    return [(r.line, r.reason) for r in parsed.rejected]


def test_a_good_row_is_read_into_grosze_a_date_and_initials() -> None:
    parsed = parse(csv(GOOD))
    assert parsed.rejected == [] and len(parsed.rows) == 1
    row = parsed.rows[0]
    assert (row.item_id, row.payer, row.grosze, row.paid, row.due.isoformat()) == (
        "N-1", "A-1", 12345, 0, "2026-03-15",
    )  # fmt: skip
    assert row.initials == "A. T." and row.account == ACCOUNT
    assert row.transfer_title == "A-1 Podatek od nieruchomości 2026"[:32]


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("kwota", "12,345", "zła kwota „12,345”"),
        ("kwota", "1.234,56", "zła kwota „1.234,56”"),
        ("kwota", "0", "zła kwota „0”"),
        ("kwota", "-5", "zła kwota „-5”"),
        ("termin", "2026-02-30", "zły termin „2026-02-30”"),
        ("termin", "15/03/2026", "zły termin „15/03/2026”"),
        ("termin", "", "brak wartości: termin"),
        ("rachunek", ACCOUNT[:-1] + "2", "numer rachunku ma złe cyfry kontrolne"),
        ("rachunek", ACCOUNT[:-1], "numer rachunku musi mieć 26 cyfr"),
        ("pin", "12", "PIN: od 4 do 16 liter lub cyfr"),
        ("wplacono", "200", "wpłacono więcej, niż wynosi należność"),
        ("numer_platnika", "A;B", "wiersz ma 10 pól, a nagłówek 9"),
    ],
)
def test_a_bad_field_rejects_its_row_with_a_polish_reason(
    field: str, value: str, reason: str
) -> None:
    names = HEADER.split(";")
    cells = GOOD.split(";")
    cells[names.index(field)] = value
    parsed = parse(csv(GOOD.replace("N-1", "N-0"), ";".join(cells)))
    assert len(parsed.rows) == 1 and parsed.rows[0].item_id == "N-0"  # the good row is loaded
    [(line, why)] = reasons(parsed)
    assert line == 3 and reason in why, why
    assert "4711" not in why and (field != "pin" or value not in why)  # never the PIN


def test_amounts_and_dates_in_the_accepted_forms() -> None:
    assert [fileformat.grosze(t) for t in ("1 234,56", "1234.5", "7", "0,01")] == [
        123456, 123450, 700, 1,
    ]  # fmt: skip
    assert fileformat.due_date("15.03.2026") == fileformat.due_date("2026-03-15")
    assert fileformat.due_date("2126-01-01") is None


def test_duplicate_rows_and_a_second_pin_are_rejected_and_make_the_payer_unsure() -> None:
    other_pin = GOOD.replace("N-1", "N-2").replace(";4711;", ";4712;")
    parsed = parse(csv(GOOD, GOOD, other_pin, GOOD.replace("A-1", "B-2").replace("N-1", "N-3")))
    assert reasons(parsed) == [
        (3, "pozycja „N-1” powtórzona (pierwszy raz w wierszu 2)"),
        (4, "inny PIN niż w wierszu 2 tego płatnika"),
    ]
    assert [r.item_id for r in parsed.rows] == ["N-1", "N-3"] and parsed.unsure == {"A-1"}


def test_missing_and_unknown_columns_refuse_the_file() -> None:
    with pytest.raises(ImportRefused, match="brak kolumn: kwota"):
        parse(HEADER.replace(";kwota", "") + "\n")
    with pytest.raises(ImportRefused, match="nieznane kolumny: kwotaa"):
        parse(HEADER.replace(";kwota", ";kwotaa") + "\n" + GOOD)
    with pytest.raises(ImportRefused, match="średnik"):
        parse(HEADER.replace(";", ",") + "\n")


def test_windows_1250_and_utf8_with_a_bom_read_the_same() -> None:
    text = csv(GOOD)
    plain = parse(text.encode("utf-8"))
    bom = parse(b"\xef\xbb\xbf" + text.encode("utf-8"))
    legacy = parse(text.encode("windows-1250"))
    assert (plain.encoding, bom.encoding, legacy.encoding) == ("utf-8", "utf-8", "windows-1250")
    assert plain.rows == bom.rows == legacy.rows
    assert legacy.rows[0].title == "Podatek od nieruchomości 2026"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "Plik jest pusty"),
        (b" \n\n", "Plik jest pusty"),
        (HEADER.encode() + b"\n", "nie ma żadnej pozycji"),
        (csv(GOOD).encode("utf-16"), "UTF-16"),
        (csv(GOOD).encode("windows-1250").replace(b"\x9c", b"\x98"), "ani w windows-1250"),
        (csv(GOOD).encode() + b"\x07", "znak sterujący w wierszu 3"),
    ],
)
def test_files_that_are_refused_whole(data: bytes, message: str) -> None:
    with pytest.raises(ImportRefused, match=message):
        parse(data)


def test_a_huge_file_or_too_many_rows_are_refused() -> None:
    huge = csv(*[GOOD.replace("N-1", f"N-{i}") for i in range(500)])
    with pytest.raises(ImportRefused, match="za duży"):
        parse(huge, max_bytes=10_000)
    with pytest.raises(ImportRefused, match="ma 500 pozycji"):
        parse(huge, max_rows=100)


XML_ROW = f"""<pozycja>
  <identyfikator>N-1</identyfikator><numer_platnika>A-1</numer_platnika><pin>4711</pin>
  <tytul>Opłata za odpady</tytul><kwota>96,00</kwota><termin>2026-12-15</termin>
  <rachunek>{ACCOUNT}</rachunek>
</pozycja>"""


def test_xml_rows_with_their_lines_and_reasons() -> None:
    bad = XML_ROW.replace("N-1", "N-2").replace("<kwota>96,00</kwota>", "<kwota>x</kwota><a/>")
    declaration = '<?xml version="1.0" encoding="windows-1250"?>'
    text = f"{declaration}\n<naleznosci>\n{XML_ROW}\n{bad}\n</naleznosci>\n"
    parsed = parse(text.encode("windows-1250"))
    assert parsed.format == "xml" and parsed.encoding == "windows-1250"
    assert [(r.item_id, r.title) for r in parsed.rows] == [("N-1", "Opłata za odpady")]
    [(line, why)] = reasons(parsed)
    assert line == 8 and "nieznane pole „a”" in why and "zła kwota „x”" in why


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (f"<naleznosci>{XML_ROW}", "uszkodzony \\(wiersz 5\\)"),
        (f"<lista>{XML_ROW}</lista>", "<naleznosci>"),
        ('<?xml version="1.0"?>\n<!DOCTYPE a [<!ENTITY b "c">]><naleznosci/>', "DTD"),
        ('<?xml version="1.0" encoding="ISO-8859-2"?><naleznosci/>', "iso-8859-2"),
        ("<naleznosci></naleznosci>", "nie ma żadnej pozycji"),
    ],
)
def test_xml_files_that_are_refused_whole(text: str, message: str) -> None:
    with pytest.raises(ImportRefused, match=message):
        parse(text)


def test_the_samples_in_format_md_are_the_sample_files_and_load_cleanly() -> None:
    doc = (ROOT / "cic" / "dues" / "FORMAT.md").read_text(encoding="utf-8")
    for kind, name in (("csv", "przyklad.csv"), ("xml", "przyklad.xml")):
        block = re.search(rf"```{kind}\n(.*?)```", doc, re.S)
        assert block is not None, kind
        assert block.group(1) == (SAMPLES / name).read_text(encoding="utf-8")
        parsed = parse(block.group(1))
        assert parsed.format == kind and parsed.rejected == [] and len(parsed.rows) == 4
    assert "Usuń plik po imporcie" in doc
