"""The report of a consultation's comments, as the public page and its CSV show it.

Every comment not hidden is listed with the office's response; hidden ones are only counted
("odrzucone: N") with their reasons, never with their text or name. Counts of the published
comments per sołectwo and per document. The CSV (UTF-8 with a byte-order mark and ``;``
between fields, as a Polish spreadsheet opens it) holds the same rows; a cell that a
spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return) gets a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass
from datetime import date

from cic.consultations.periods import local_day
from cic.consultations.views_model import Comment, ConsultationView

NO_SOLECTWO = "nie podano"
NO_DOCUMENT = "bez wskazania dokumentu"
CSV_HEADER = ("Nr", "Data", "Imię i nazwisko", "Sołectwo", "Dokument", "Fragment", "Uwaga",
              "Stanowisko urzędu")  # fmt: skip
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Report:
    """The published comments, the count of hidden ones and why, and the counts."""

    consultation: ConsultationView
    comments: tuple[Comment, ...]
    rejected: int
    reasons: tuple[tuple[str, int], ...]
    by_solectwo: tuple[tuple[str, int], ...]
    by_document: tuple[tuple[str, int], ...]
    zone: str

    def day(self, comment: Comment) -> date:
        """The day a comment was sent, in the office's time zone."""
        return local_day(comment.created_at, self.zone)

    @property
    def received(self) -> int:
        """Every comment received (published and hidden)."""
        return len(self.comments) + self.rejected


def build(found: ConsultationView, zone: str) -> Report:
    """The report of ``found`` (read with its comments); days in ``zone``."""
    shown = tuple(c for c in found.comments if not c.hidden)
    hidden = [c for c in found.comments if c.hidden]
    reasons = Counter(c.hidden_reason or "naruszenie zasad konsultacji" for c in hidden)
    solectwa = Counter(c.solectwo or NO_SOLECTWO for c in shown)
    documents = Counter(found.document_title(c.document_id) or NO_DOCUMENT for c in shown)
    return Report(
        found, shown, len(hidden), tuple(reasons.most_common()), _sorted(solectwa),
        _sorted(documents), zone,
    )  # fmt: skip


def _sorted(counts: Counter[str]) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def _cell(value: str) -> str:
    return f"'{value}" if value.startswith(_FORMULA) else value


def to_csv(report: Report) -> bytes:
    """The report's comments as CSV bytes (see the module docstring)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    found = report.consultation
    for c in report.comments:
        writer.writerow([_cell(v) for v in (
            str(c.number), report.day(c).isoformat(), c.name, c.solectwo,
            found.document_title(c.document_id), c.section, c.text, c.response,
        )])  # fmt: skip
    writer.writerow([])
    writer.writerow(["Odrzucone", str(report.rejected)])
    for reason, count in report.reasons:
        writer.writerow(["Powód odrzucenia", _cell(reason), str(count)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
