"""Reading the finance system's dues file: CSV or XML (``FORMAT.md``) into checked rows.

The whole file is refused (``ImportRefused``, nothing loaded) when it is empty, too big, not
text in UTF-8 or windows-1250, lacks a required column or is not well-formed XML. Otherwise
every row is checked on its own: a bad one is rejected with its line number and a Polish
reason, and the good ones are loaded. A reason never repeats the row's PIN.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from datetime import date

from cic.dues import nrb
from cic.dues.errors import ImportRefused
from cic.dues.qr import TITLE_LENGTH, clean
from cic.dues.rows import DueRow, Format, ParsedFile, Record, Rejection
from cic.dues.xmlfile import read_xml

COLUMNS = ("identyfikator", "numer_platnika", "pin", "nazwa_platnika", "tytul", "kwota",
           "wplacono", "termin", "rachunek", "tytul_przelewu")  # fmt: skip
REQUIRED = ("identyfikator", "numer_platnika", "pin", "tytul", "kwota", "termin", "rachunek")
DELIMITER = ";"
MAX_TITLE = 200
_ITEM_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9/._-]{0,63}")
_PAYER = re.compile(r"[A-Z0-9][A-Z0-9/._-]{0,29}")
_PIN = re.compile(r"[A-Za-z0-9]{4,16}")
_AMOUNT = re.compile(r"(\d{1,9})(?:[.,](\d{1,2}))?")
_PL_DATE = re.compile(r"(\d{2})\.(\d{2})\.(\d{4})")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def guess_format(data: bytes) -> Format:
    """``xml`` when the file starts with ``<`` (after a BOM and blanks), else ``csv``."""
    return "xml" if data.removeprefix(b"\xef\xbb\xbf").lstrip()[:1] == b"<" else "csv"


def decode(data: bytes, declared: str = "") -> tuple[str, str]:
    """``(text, encoding)`` of the file: UTF-8 (a BOM is dropped), else windows-1250; any other
    encoding, NUL or control characters refuse the file."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in data:
        raise ImportRefused("Plik jest w UTF-16 albo nie jest tekstem. Zapisz go w UTF-8.")
    choices = [declared] if declared else ["utf-8", "windows-1250"]
    for encoding in choices:
        try:
            text = data.removeprefix(b"\xef\xbb\xbf").decode(encoding)
        except UnicodeDecodeError as exc:
            error = exc
            continue
        if found := _CONTROL.search(text):
            line = text.count("\n", 0, found.start()) + 1
            raise ImportRefused(f"Plik zawiera znak sterujący w wierszu {line}: to nie tekst.")
        return text, encoding
    line = data.count(b"\n", 0, error.start) + 1
    raise ImportRefused(
        f"Plik nie jest tekstem w UTF-8 ani w windows-1250 (bajt {data[error.start]:#04x}"
        f" w wierszu {line}). Zapisz go w UTF-8."
    )


def parse(data: bytes, kind: Format | None = None, *, max_bytes: int, max_rows: int) -> ParsedFile:
    """Read and check the dues file ``data`` (``kind`` guessed from its first character)."""
    if not data.strip():
        raise ImportRefused("Plik jest pusty.")
    if len(data) > max_bytes:
        raise ImportRefused(
            f"Plik jest za duży ({len(data) / 1e6:.1f} MB; najwyżej {max_bytes / 1e6:.0f} MB)."
            " Podziel go na mniejsze."
        )
    kind = kind or guess_format(data)
    if kind == "xml":
        records, encoding = read_xml(data, decode)
    else:
        text, encoding = decode(data)
        records = read_csv(text)
    if len(records) > max_rows:
        raise ImportRefused(f"Plik ma {len(records)} pozycji (najwyżej {max_rows}). Podziel go.")
    if not records:
        raise ImportRefused("Plik nie ma żadnej pozycji.")
    parsed = ParsedFile(kind, encoding)
    check_records(records, parsed)
    return parsed


def read_csv(text: str) -> list[Record]:
    """The rows of a ``;``-separated file whose first line names the columns."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=DELIMITER)
    header: list[str] = []
    records: list[Record] = []
    last = 0
    for row in reader:
        line, last = last + 1, reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if not header:
            header = _header(row)
            continue
        if len(row) != len(header):
            problem = (f"wiersz ma {len(row)} pól, a nagłówek {len(header)}"
                       " (sprawdź średniki i cudzysłowy)")  # fmt: skip
            records.append(Record(line, dict(zip(header, row, strict=False)), problem))
            continue
        records.append(Record(line, dict(zip(header, row, strict=True))))
    if not header:
        raise ImportRefused("Plik jest pusty.")
    return records


def _header(row: list[str]) -> list[str]:
    names = [cell.strip().lower() for cell in row]
    if len(names) == 1 and "," in names[0]:
        raise ImportRefused("Pola w wierszach oddziela średnik (;), nie przecinek.")
    missing = [name for name in REQUIRED if name not in names]
    unknown = [name for name in names if name not in COLUMNS]
    doubled = sorted({name for name in names if names.count(name) > 1})
    if missing or unknown or doubled:
        parts = [f"brak kolumn: {', '.join(missing)}" if missing else "",
                 f"nieznane kolumny: {', '.join(unknown)}" if unknown else "",
                 f"powtórzone kolumny: {', '.join(doubled)}" if doubled else ""]  # fmt: skip
        raise ImportRefused(
            f"Zły nagłówek pliku (wiersz 1) — {'; '.join(p for p in parts if p)}."
            f" Kolumny: {DELIMITER.join(COLUMNS)}."
        )
    return names


def check_records(records: Iterable[Record], parsed: ParsedFile) -> None:
    """Check each record into ``parsed``: a good row, or a rejection (and its payer unsure)."""
    first_line: dict[str, int] = {}
    payer_pin: dict[str, tuple[str, int]] = {}
    for record in records:
        payer = _payer(record.fields.get("numer_platnika", ""))
        problems = [record.problem] if record.problem else _problems(record.fields)
        item_id = record.fields.get("identyfikator", "").strip()
        if not problems and item_id in first_line:
            problems.append(
                f"pozycja „{item_id}” powtórzona (pierwszy raz w wierszu {first_line[item_id]})"
            )
        pin = record.fields.get("pin", "").strip()
        if not problems and payer in payer_pin and payer_pin[payer][0] != pin:
            problems.append(f"inny PIN niż w wierszu {payer_pin[payer][1]} tego płatnika")
        if problems:
            parsed.rejected.append(Rejection(record.line, "; ".join(problems)))
            if _PAYER.fullmatch(payer):
                parsed.unsure.add(payer)
            continue
        first_line[item_id] = record.line
        payer_pin.setdefault(payer, (pin, record.line))
        parsed.rows.append(_row(record, payer))


def _payer(text: str) -> str:
    return "".join(text.split()).upper()


def _problems(fields: dict[str, str]) -> list[str]:
    """Why a record's fields are not a good item (Polish; empty when they are)."""
    value = {name: fields.get(name, "").strip() for name in COLUMNS}
    unknown = [name for name in fields if name not in COLUMNS]
    out = [f"nieznane pole „{name}”" for name in unknown]
    missing = [name for name in REQUIRED if not value[name]]
    if missing:
        out.append(f"brak wartości: {', '.join(missing)}")
    if value["identyfikator"] and not _ITEM_ID.fullmatch(value["identyfikator"]):
        out.append("identyfikator pozycji: do 64 liter, cyfr i znaków / . _ -")
    if value["numer_platnika"] and not _PAYER.fullmatch(_payer(value["numer_platnika"])):
        out.append("numer płatnika: do 30 liter, cyfr i znaków / . _ -")
    if value["pin"] and not _PIN.fullmatch(value["pin"]):
        out.append("PIN: od 4 do 16 liter lub cyfr")
    if value["tytul"] and (len(value["tytul"]) > MAX_TITLE or not value["tytul"].isprintable()):
        out.append(f"tytuł: najwyżej {MAX_TITLE} znaków")
    amount = grosze(value["kwota"]) if value["kwota"] else 0
    if value["kwota"] and (amount is None or amount <= 0):
        out.append(f"zła kwota „{value['kwota'][:20]}”: podaj złote i grosze, np. 1234,56")
    paid = grosze(value["wplacono"]) if value["wplacono"] else 0
    if paid is None:
        out.append(f"zła kwota wpłat „{value['wplacono'][:20]}”: np. 0 albo 100,00")
    elif amount and paid > amount:
        out.append("wpłacono więcej, niż wynosi należność")
    if value["termin"] and due_date(value["termin"]) is None:
        out.append(f"zły termin „{value['termin'][:20]}”: podaj datę RRRR-MM-DD lub DD.MM.RRRR")
    if value["rachunek"] and (why := nrb.problem(value["rachunek"])):
        out.append(why)
    if len(value["tytul_przelewu"]) > TITLE_LENGTH or "|" in value["tytul_przelewu"]:
        out.append(f"tytuł przelewu: najwyżej {TITLE_LENGTH} znaki, bez znaku |")
    return out


def grosze(text: str) -> int | None:
    """``1 234,56`` or ``1234.56`` in grosze; None when it is not such an amount."""
    found = _AMOUNT.fullmatch("".join(text.split()))
    if found is None:
        return None
    whole, part = found.groups()
    return int(whole) * 100 + int((part or "0").ljust(2, "0"))


def due_date(text: str) -> date | None:
    """``2026-03-15`` or ``15.03.2026`` as a date between 2000 and 2099; else None."""
    try:
        if _ISO_DATE.fullmatch(text):
            day = date.fromisoformat(text)
        elif found := _PL_DATE.fullmatch(text):
            day = date(int(found[3]), int(found[2]), int(found[1]))
        else:
            return None
    except ValueError:
        return None
    return day if 2000 <= day.year <= 2099 else None


def initials(name: str) -> str:
    """``J. K.`` from ``Jan Kowalski``: the most a page shows of a payer's name."""
    return " ".join(f"{word[0].upper()}." for word in name.split()[:2] if word[0].isalpha())


def _row(record: Record, payer: str) -> DueRow:
    value = {name: record.fields.get(name, "").strip() for name in COLUMNS}
    amount, paid, due = (
        grosze(value["kwota"]),
        grosze(value["wplacono"] or "0"),
        due_date(value["termin"]),
    )
    assert amount is not None and paid is not None and due is not None  # checked above
    title = " ".join(value["tytul"].split())
    transfer = value["tytul_przelewu"] or clean(f"{payer} {title}", TITLE_LENGTH)
    return DueRow(record.line, value["identyfikator"], payer, value["pin"],
                  initials(value["nazwa_platnika"]), title, amount, paid, due,
                  nrb.normalize(value["rachunek"]), transfer)  # fmt: skip
