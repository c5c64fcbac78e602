"""Reading the address points file: the CSV form of the national register's open data
(PRG "punkty adresowe", see FORMAT.md), checked row by row.

The whole file is refused (nothing loaded) when it is empty, too big, not text or lacks the
columns; a bad row is rejected with its line and a Polish reason and the good rows load.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from cic.addresses import gml
from cic.addresses.errors import ImportRefused
from cic.addresses.grid import in_poland, puwg1992_to_wgs84
from cic.addresses.models import KEY_LENGTH, NAME_LENGTH, NUMBER_LENGTH
from cic.addresses.words import NUMBER, fold, house_number

#: Header names (folded: lower case, no Polish letters, only letters and digits) per field.
COLUMNS: dict[str, tuple[str, ...]] = {
    "place": ("miejscowosc", "nazwamiejscowosci", "msc"),
    "street": ("ulica", "nazwaulicy", "ul"),
    "number": ("numerporzadkowy", "numer", "nr", "numerbudynku"),
    "postcode": ("kodpocztowy", "pna", "kod"),
    "solectwo": ("solectwo",),
    "key": ("idiip", "lokalnyid", "identyfikator", "id", "uuid"),
    "status": ("status", "statusadresu"),
    "x": ("x", "wspx", "wspolrzednax"),
    "y": ("y", "wspy", "wspolrzednay"),
    "lat": ("lat", "szerokosc", "szerokoscgeograficzna"),
    "lon": ("lon", "dlugosc", "dlugoscgeograficzna"),
}
#: Statuses of the register whose points are not (or no longer) real addresses.
RETIRED = frozenset({"wycofany", "archiwalny", "zniesiony"})
POSTCODE = re.compile(r"^\d{2}-\d{3}$")


@dataclass(frozen=True)
class Rejection:
    """A rejected row: its line in the file and why (in Polish)."""

    line: int
    reason: str


@dataclass(frozen=True)
class PointRow:
    """A good row, ready to store."""

    key: str
    place: str
    street: str
    number: str
    postcode: str
    solectwo: str
    lat: float
    lon: float


@dataclass
class ParsedFile:
    """The good rows, the rejected ones, and how the file was read."""

    rows: list[PointRow] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    encoding: str = "utf-8"
    coordinates: str = "EPSG:2180"


def _decode(data: bytes) -> tuple[str, str]:
    if b"\x00" in data[:4096]:
        raise ImportRefused("To nie jest plik tekstowy CSV (zawiera bajty zerowe).")
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1250"), "cp1250"
    except UnicodeDecodeError:
        raise ImportRefused("Plik nie jest tekstem w UTF-8 ani w Windows-1250.") from None


def _columns(header: list[str]) -> dict[str, int]:
    folded = [fold(name).replace(" ", "") for name in header]
    found: dict[str, int] = {}
    for name, aliases in COLUMNS.items():
        for alias in aliases:
            if alias in folded:
                found[name] = folded.index(alias)
                break
    missing = [label for label, name in (("miejscowość", "place"), ("numer porządkowy", "number"))
               if name not in found]  # fmt: skip
    if not ({"x", "y"} <= found.keys() or {"lat", "lon"} <= found.keys()):
        missing.append("współrzędne (x i y w układzie 1992 albo lat i lon)")
    if missing:
        raise ImportRefused(
            "Brak kolumn: " + ", ".join(missing) + ". Nagłówek pliku: "
            + "; ".join(h[:40] for h in header[:20]) + " (opis formatu w cic/addresses/FORMAT.md)."
        )  # fmt: skip
    return found


def _number(text: str) -> float:
    value = float(text.strip().replace(",", ".").replace(" ", ""))
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def parse(data: bytes, *, max_bytes: int, max_rows: int, form: str = "csv") -> ParsedFile:
    """Check the whole file, then every row; raises :class:`ImportRefused` for the file.
    ``form`` is ``csv`` or ``gml`` (PRG's GML, see :mod:`cic.addresses.gml`)."""
    if not data.strip():
        raise ImportRefused("Plik jest pusty.")
    if len(data) > max_bytes:
        raise ImportRefused(f"Plik jest za duży (najwyżej {max_bytes / 1e6:.0f} MB).")
    if form == "gml":
        return _checked(gml.read(data, max_rows), _columns(gml.HEADER), len(gml.HEADER),
                        ParsedFile(encoding="xml"))  # fmt: skip
    text, encoding = _decode(data)
    first = text.split("\n", 1)[0]
    delimiter = max(";,\t|", key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
        columns = _columns(header)
        parsed = ParsedFile(
            encoding=encoding, coordinates="EPSG:2180" if "x" in columns else "EPSG:4326"
        )
        records = ((reader.line_num, record) for record in reader)
        return _checked(_limited(records, max_rows), columns, len(header), parsed)
    except csv.Error as exc:
        raise ImportRefused(f"Niepoprawny plik CSV (wiersz {reader.line_num}): {exc}.") from None
    except StopIteration:
        raise ImportRefused("Plik nie ma nagłówka.") from None


def _limited(
    records: Iterable[tuple[int, list[str]]], max_rows: int
) -> Iterator[tuple[int, list[str]]]:
    count = 0
    for line, record in records:
        if not any(cell.strip() for cell in record):
            continue
        count += 1
        if count > max_rows:
            raise ImportRefused(f"Za dużo wierszy (najwyżej {max_rows}).")
        yield line, record


def _checked(
    records: Iterable[tuple[int, list[str]]], columns: dict[str, int], width: int,
    parsed: ParsedFile,
) -> ParsedFile:  # fmt: skip
    seen: dict[str, int] = {}
    for line, record in records:
        try:
            row = _row(record, columns, width)
        except _Bad as exc:
            parsed.rejected.append(Rejection(line, str(exc)))
            continue
        if row.key in seen:
            first = seen[row.key]
            parsed.rejected.append(
                Rejection(line, f"powtórzony punkt adresowy (pierwszy w wierszu {first})")
            )
            continue
        seen[row.key] = line
        parsed.rows.append(row)
    return parsed


class _Bad(ValueError):
    """A row's reason for rejection."""


def _cell(record: list[str], columns: dict[str, int], name: str, limit: int) -> str:
    at = columns.get(name)
    value = " ".join(record[at].split()) if at is not None and at < len(record) else ""
    if len(value) > limit:
        raise _Bad(f"za długa wartość w kolumnie {name} (najwyżej {limit} znaków)")
    if value and not value.isprintable():
        raise _Bad(f"niedozwolone znaki w kolumnie {name}")
    return value


def _row(record: list[str], columns: dict[str, int], width: int) -> PointRow:
    if len(record) != width:
        raise _Bad(f"zła liczba kolumn ({len(record)} zamiast {width})")
    place = _cell(record, columns, "place", NAME_LENGTH)
    street = _cell(record, columns, "street", NAME_LENGTH)
    number = _cell(record, columns, "number", NUMBER_LENGTH)
    postcode = _cell(record, columns, "postcode", 6)
    solectwo = _cell(record, columns, "solectwo", NAME_LENGTH)
    status = fold(_cell(record, columns, "status", 40))
    if not fold(place):
        raise _Bad("brak nazwy miejscowości")
    if not number:
        raise _Bad("brak numeru porządkowego")
    if not NUMBER.match(fold(number).replace(" ", "")):
        raise _Bad(f"niepoprawny numer porządkowy „{number}” (np. 5, 12A, 7/2)")
    if postcode and not POSTCODE.match(postcode):
        raise _Bad(f"niepoprawny kod pocztowy „{postcode}” (wzór 00-000)")
    if status in RETIRED:
        raise _Bad(f"adres o statusie „{status}” (nieaktualny)")
    try:
        if "x" in columns:
            lat, lon = puwg1992_to_wgs84(
                _number(_cell(record, columns, "x", 30)), _number(_cell(record, columns, "y", 30))
            )
        else:
            lat = _number(_cell(record, columns, "lat", 30))
            lon = _number(_cell(record, columns, "lon", 30))
    except ValueError:
        raise _Bad("niepoprawne współrzędne (liczby, np. 505484.38)") from None
    if not in_poland(lat, lon):
        raise _Bad("współrzędne poza Polską (czy kolumny x i y nie są zamienione?)")
    key = _cell(record, columns, "key", KEY_LENGTH) or "|".join(
        (fold(place), fold(street), house_number(number))
    )
    return PointRow(key[:KEY_LENGTH], place, street, number, postcode, solectwo, lat, lon)
