"""Case signatures ``KOMÓRKA.JRWA.NR.ROK`` (e.g. ``FN.3110.12.2026``, ``FN-I.6131.3.2026``).

- unit (komórka): letters and digits with at least one letter, up to 10 characters; sub-units
  follow after a hyphen (``FN-I``, ``OR-II-1``); Polish letters and mixed case are kept as
  written (``GKiOŚ``), because office manuals spell them so;
- JRWA class: 1 to 4 digits kept as a string (``0052`` is not ``52``);
- number: the case's number in the unit, class and year, from 1, without leading zeros;
- year: four digits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cic.cases.errors import InvalidSignature, InvalidValue

MAX_SIGNATURE = 80
_SEGMENT = r"[0-9A-Za-zĄĆĘŁŃÓŚŹŻąćęłńóśźż]{1,10}"
_UNIT = re.compile(rf"{_SEGMENT}(?:-{_SEGMENT}){{0,3}}")
_LETTER = re.compile(r"[A-Za-zĄĆĘŁŃÓŚŹŻąćęłńóśźż]")
_JRWA = re.compile(r"[0-9]{1,4}")
_NUMBER = re.compile(r"[1-9][0-9]{0,8}")
_YEAR = re.compile(r"[0-9]{4}")
MIN_YEAR, MAX_YEAR = 1990, 2199


@dataclass(frozen=True)
class Signature:
    """A parsed case signature."""

    unit: str
    jrwa: str
    number: int
    year: int

    def __str__(self) -> str:
        """The signature as written on documents."""
        return format_signature(self.unit, self.jrwa, self.number, self.year)


def validate_unit(unit: object) -> str:
    """``unit`` if it is a unit code (``FN``, ``FN-I``, ``USC``), else a Polish error."""
    if not isinstance(unit, str) or not _UNIT.fullmatch(unit):
        raise InvalidValue(
            "Symbol komórki to litery i cyfry (do 10 znaków, co najmniej jedna litera),"
            " podkomórki po myślniku, np. „FN” lub „FN-I”."
        )
    if not _LETTER.search(unit.split("-")[0]):
        raise InvalidValue("Symbol komórki musi zawierać co najmniej jedną literę, np. „FN”.")
    return unit


def validate_jrwa(symbol: object) -> str:
    """``symbol`` if it looks like a JRWA class symbol (1–4 digits, kept as text)."""
    if not isinstance(symbol, str) or not _JRWA.fullmatch(symbol):
        raise InvalidValue("Symbol klasy JRWA to od 1 do 4 cyfr, np. „3110” lub „0052”.")
    return symbol


def validate_year(year: object) -> int:
    """``year`` if it is a plausible case year."""
    if isinstance(year, bool) or not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidValue(f"Rok sprawy to liczba od {MIN_YEAR} do {MAX_YEAR}.")
    return year


def format_signature(unit: str, jrwa: str, number: int, year: int) -> str:
    """``FN.3110.12.2026`` from its parts (each part validated)."""
    validate_unit(unit)
    validate_jrwa(jrwa)
    validate_year(year)
    if isinstance(number, bool) or not isinstance(number, int) or number < 1:
        raise InvalidValue("Numer sprawy to liczba całkowita od 1.")
    return f"{unit}.{jrwa}.{number}.{year}"


def parse_signature(text: object) -> Signature:
    """Parse ``KOMÓRKA.JRWA.NR.ROK``; raise ``InvalidSignature`` with a Polish reason."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidSignature("Podaj znak sprawy, np. „FN.3110.12.2026”.")
    if len(text) > MAX_SIGNATURE:
        raise InvalidSignature(f"Znak sprawy ma najwyżej {MAX_SIGNATURE} znaków.")
    parts = text.strip().split(".")
    if len(parts) != 4:
        raise InvalidSignature(
            "Znak sprawy ma cztery części oddzielone kropkami: KOMÓRKA.JRWA.NR.ROK,"
            " np. „FN.3110.12.2026”."
        )
    unit, jrwa, number, year = parts
    if not _UNIT.fullmatch(unit) or not _LETTER.search(unit.split("-")[0]):
        raise InvalidSignature(f"„{unit}” nie jest symbolem komórki (np. „FN” lub „FN-I”).")
    if not _JRWA.fullmatch(jrwa):
        raise InvalidSignature(f"„{jrwa}” nie jest symbolem klasy JRWA (1–4 cyfry).")
    if not _NUMBER.fullmatch(number):
        raise InvalidSignature(
            f"„{number}” nie jest numerem sprawy (liczba od 1, bez zer z przodu)."
        )
    if not _YEAR.fullmatch(year) or not MIN_YEAR <= int(year) <= MAX_YEAR:
        raise InvalidSignature(f"„{year}” nie jest rokiem (cztery cyfry).")
    return Signature(unit, jrwa, int(number), int(year))


def is_signature(text: object) -> bool:
    """True when ``text`` parses as a case signature."""
    try:
        parse_signature(text)
    except InvalidSignature:
        return False
    return True
