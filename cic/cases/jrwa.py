"""JRWA classes (Jednolity Rzeczowy Wykaz Akt) as data: the built-in subset and office lists.

``jrwa.yaml`` next to this module is a SUBSET written from general knowledge; an office loads
its own full list (YAML in the same shape, or CSV ``symbol;hasło;kategoria``) with
``cic cases load-jrwa FILE``; once loaded, the stored list replaces the built-in one.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml

from cic.cases.errors import InvalidValue
from cic.cases.schemas import JrwaClassOut
from cic.cases.signatures import validate_jrwa

BUILTIN = Path(str(files("cic.cases") / "jrwa.yaml"))
_CATEGORY = re.compile(r"A|B|Bc|BE(?:[0-9]{1,3})?|B[0-9]{1,3}")
MAX_NAME = 300


@dataclass(frozen=True)
class JrwaClass:
    """One class of the list: symbol (digits, as text), Polish name, archival category."""

    symbol: str
    name: str
    category: str

    def to_json(self) -> JrwaClassOut:
        """The class as JSON."""
        return {"symbol": self.symbol, "name": self.name, "category": self.category}


def make_class(raw: object, where: str) -> JrwaClass:
    """Validate one entry (a mapping with symbol, name, category); ``where`` names it in errors."""
    if not isinstance(raw, dict):
        raise InvalidValue(f"{where}: oczekiwano pól symbol, name, category.")
    symbol = raw.get("symbol")
    if isinstance(symbol, int) and not isinstance(symbol, bool):
        raise InvalidValue(f'{where}: symbol JRWA zapisz w cudzysłowie (np. "0052"), nie liczbą.')
    try:
        validate_jrwa(symbol)
    except InvalidValue as exc:
        raise InvalidValue(f"{where}: {exc.message}") from exc
    name, category = raw.get("name"), raw.get("category", "")
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME:
        raise InvalidValue(f"{where}: hasło klasy (name) to tekst do {MAX_NAME} znaków.")
    if not isinstance(category, str) or (category and not _CATEGORY.fullmatch(category)):
        raise InvalidValue(f"{where}: kategoria archiwalna to np. A, B10, BE5, Bc.")
    assert isinstance(symbol, str)
    return JrwaClass(symbol, name.strip(), category)


def parse_yaml(text: str) -> list[JrwaClass]:
    """Classes from YAML: a list, or a mapping with ``classes``."""
    try:
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InvalidValue(f"Plik wykazu nie jest poprawnym YAML: {exc}") from exc
    if isinstance(data, dict):
        data = data.get("classes")
    if not isinstance(data, list):
        raise InvalidValue("Wykaz w YAML to lista klas (lub mapa z kluczem classes).")
    return _unique([make_class(item, f"pozycja {i + 1}") for i, item in enumerate(data)])


def parse_csv(text: str) -> list[JrwaClass]:
    """Classes from CSV ``symbol;hasło;kategoria`` (also ``,`` or tab; a header row is skipped)."""
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=";,\t")
    except csv.Error:
        dialect = "excel"
    classes = []
    for number, row in enumerate(csv.reader(io.StringIO(text), dialect), start=1):
        if not row or (number == 1 and not row[0].strip().isdigit()):
            continue
        fields = [cell.strip() for cell in row] + ["", ""]
        raw = {"symbol": fields[0], "name": fields[1], "category": fields[2]}
        classes.append(make_class(raw, f"wiersz {number}"))
    return _unique(classes)


def parse_file(path: Path) -> list[JrwaClass]:
    """Classes from ``path`` (``.csv`` as CSV, anything else as YAML)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidValue(f"Nie można odczytać pliku wykazu {path}: {exc}") from exc
    return parse_csv(text) if path.suffix.lower() == ".csv" else parse_yaml(text)


def builtin() -> list[JrwaClass]:
    """The built-in subset (``jrwa.yaml``)."""
    return parse_yaml(BUILTIN.read_text(encoding="utf-8"))


def _unique(classes: list[JrwaClass]) -> list[JrwaClass]:
    seen: set[str] = set()
    for item in classes:
        if item.symbol in seen:
            raise InvalidValue(f"Symbol JRWA „{item.symbol}” występuje w wykazie dwa razy.")
        seen.add(item.symbol)
    if not classes:
        raise InvalidValue("Wykaz nie zawiera żadnej klasy.")
    return classes
