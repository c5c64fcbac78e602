"""The dashboard as files: CSV (one table of figures and their parts), XLSX (a sheet per
section and one of daily series) and the drill-down list as CSV.

CSV is UTF-8 with a byte-order mark and ``;`` between fields, numbers with a decimal comma, as
a Polish spreadsheet opens it. In both formats a text cell that a spreadsheet would run as a
formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) gets a leading
apostrophe; numbers are written as numbers (XLSX) or by :func:`cic.dashboard.present.number`
without thousands separators (CSV). An unavailable figure has empty value cells and its note.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from cic.dashboard.period import Period
from cic.dashboard.present import part_unit
from cic.dashboard.schemas import DrillRow, Figure, Section

FORMULA = ("=", "+", "-", "@", "\t", "\r")
CSV_HEADER = ("Sekcja", "Wskaźnik", "Klucz", "Część", "Jednostka", "Wartość",
              "Okres poprzedni", "Zmiana", "Liczba rekordów", "Uwagi")  # fmt: skip
SHEET_HEADER = ("Wskaźnik", "Klucz", "Jednostka", "Wartość", "Okres poprzedni", "Zmiana",
                "Uwagi")  # fmt: skip
PART_HEADER = ("Wskaźnik", "Część", "Wartość", "Okres poprzedni", "Zmiana", "Liczba rekordów",
               "Jednostka")  # fmt: skip
DRILL_HEADER = ("Rodzaj", "Identyfikator", "Kiedy", "Opis", "Adres strony")
SERIES_SHEET = "Serie dzienne"
Cell = str | float | int | None


def text(value: str) -> str:
    """``value`` safe to open in a spreadsheet (no formula runs from it)."""
    return f"'{value}" if value.startswith(FORMULA) else value


def decimal(value: float | None) -> str:
    """A number for the CSV: decimal comma, no thousands separator, "" for none."""
    if value is None:
        return ""
    rounded = round(value, 4)
    shown = str(int(rounded)) if rounded == int(rounded) else f"{rounded:.4f}".rstrip("0")
    return shown.replace(".", ",")


def _change(previous: float | None, value: float | None) -> float | None:
    return None if value is None or previous is None else value - previous


def file_name(stem: str, period: Period, suffix: str) -> str:
    """The file's name with the period: "wskazniki_2026-10.csv" or
    "wskazniki_2026-10-01_2026-10-15.xlsx"."""
    if period.month:
        return f"{stem}_{period.first:%Y-%m}.{suffix}"
    return f"{stem}_{period.first.isoformat()}_{period.last.isoformat()}.{suffix}"


def _csv(rows: Iterable[Sequence[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _figure_rows(section: Section, figure: Figure) -> list[list[str]]:
    note = "" if figure.available else figure.note
    rows = [[text(section.title), text(figure.label), figure.key, "", figure.unit,
             decimal(figure.value), decimal(figure.previous), decimal(figure.change), "",
             text(note)]]  # fmt: skip
    for part in figure.parts:
        rows.append([
            text(section.title), text(figure.label), figure.key, text(part.label),
            part_unit(part, figure.unit),
            decimal(part.value), decimal(part.previous),
            decimal(_change(part.previous, part.value)),
            "" if part.count is None else str(part.count), "",
        ])  # fmt: skip
    return rows


def report_csv(sections: Sequence[Section]) -> bytes:
    """Every figure (a row with an empty "Część") and each of its parts, as CSV bytes."""
    rows: list[list[str]] = [list(CSV_HEADER)]
    for section in sections:
        for figure in section.figures:
            rows.extend(_figure_rows(section, figure))
    return _csv(rows)


def drill_csv(rows: Sequence[DrillRow]) -> bytes:
    """The drill-down's records (with their further columns after the fixed ones)."""
    extra = list(dict.fromkeys(label for row in rows for label, _ in row.extra))
    table = [[*DRILL_HEADER, *(text(label) for label in extra)]]
    for row in rows:
        more = dict(row.extra)
        table.append([text(row.kind), text(row.id), row.at, text(row.summary), text(row.link),
                      *(text(more.get(label, "")) for label in extra)])  # fmt: skip
    return _csv(table)


def sheet_title(title: str, taken: set[str]) -> str:
    """A worksheet name from ``title``: at most 31 characters, none of ``[]:*?/\\``, unique."""
    words = "".join(" " if c in "[]:*?/\\" else c for c in title).split()
    clean = " ".join(words)[:31].rstrip() or "Arkusz"
    name, n = clean, 2
    while name.lower() in taken:
        name = f"{clean[: 31 - len(str(n)) - 1].rstrip()} {n}"
        n += 1
    taken.add(name.lower())
    return name


def _bold_row(sheet: Worksheet, values: Sequence[Cell]) -> None:
    sheet.append(list(values))
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)


def report_xlsx(sections: Sequence[Section], period: Period, office: str) -> bytes:
    """A workbook: one sheet per section (figures, then their parts) and one of daily series."""
    book = Workbook()
    book.remove(book.active)
    taken: set[str] = set()
    for section in sections:
        sheet = book.create_sheet(sheet_title(section.title, taken))
        sheet.append([text(f"{office}: {section.title}"), f"okres: {period.label()}"])
        sheet.append([])
        _bold_row(sheet, SHEET_HEADER)
        for f in section.figures:
            sheet.append([text(f.label), f.key, f.unit, f.value, f.previous, f.change,
                          "" if f.available else text(f.note)])  # fmt: skip
        sheet.append([])
        _bold_row(sheet, PART_HEADER)
        for f in section.figures:
            for p in f.parts:
                change = _change(p.previous, p.value)
                sheet.append([text(f.label), text(p.label), p.value, p.previous, change, p.count,
                              part_unit(p, f.unit)])  # fmt: skip
        sheet.column_dimensions["A"].width = 48
    _series_sheet(book, sections, sheet_title(SERIES_SHEET, taken))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _series_sheet(book: Workbook, sections: Sequence[Section], title: str) -> None:
    """Days down, one column per figure with a daily series."""
    sheet = book.create_sheet(title)
    charted = [f for s in sections for f in s.figures if f.series]
    _bold_row(sheet, ["Dzień", *(text(f"{f.label} ({f.unit})") for f in charted)])
    days = sorted({p.day for f in charted for p in f.series})
    values = [{p.day: p.value for p in f.series} for f in charted]
    for day in days:
        sheet.append([day.isoformat(), *(v.get(day) for v in values)])
    sheet.column_dimensions["A"].width = 12
