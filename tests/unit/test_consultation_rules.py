"""Pure rules of consultations: the state by dates in the office's time zone, the office's
name rules, the kind of an uploaded file by its content, safe download names, slugs, and the
report's counts and CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest

from cic.consultations.commenting import closed_message
from cic.consultations.documents import Kind, kind_of, safe_filename
from cic.consultations.names import check_name
from cic.consultations.periods import local_day, parse_day, period_problem, state
from cic.consultations.report import build, to_csv
from cic.consultations.service import slug_from
from cic.consultations.views_model import Comment, ConsultationView, Document

START, END = date(2027, 3, 1), date(2027, 3, 15)
PDF = Kind("pdf", "application/pdf")


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2027, 2, 28), "zapowiedziana"),
        (date(2027, 3, 1), "trwa"),
        (date(2027, 3, 15), "trwa"),
        (date(2027, 3, 16), "zakończona"),
    ],
)
def test_the_state_follows_the_dates_both_ends_included(today: date, expected: str) -> None:
    assert state(START, END, today) == expected


def test_the_day_is_counted_in_warsaw_not_utc() -> None:
    # 23:30 UTC on 15 March is already 16 March in Warsaw (CET, +1): the consultation is over
    late = datetime(2027, 3, 15, 23, 30, tzinfo=UTC)
    assert local_day(late, "Europe/Warsaw") == date(2027, 3, 16)
    assert state(START, END, local_day(late, "Europe/Warsaw")) == "zakończona"
    # 22:30 UTC in summer time (+2) is 00:30 the next day
    assert local_day(datetime(2027, 6, 30, 22, 30, tzinfo=UTC), "Europe/Warsaw") == date(2027, 7, 1)


def test_periods_are_checked() -> None:
    assert period_problem(START, END) == {}
    assert "ends_on" in period_problem(END, START)
    assert set(period_problem(None, None)) == {"starts_on", "ends_on"}
    assert parse_day("2027-03-01") == START
    assert [parse_day(x) for x in ("2027-02-30", "1.03.2027", "", "2027-3-1")] == [None] * 4


def test_name_rules() -> None:
    assert check_name("required", "", False).problems == {
        "name": "Podaj imię i nazwisko — w tej konsultacji uwagi są imienne."
    }
    assert set(check_name("required", "Jan Nowak", False).problems) == {"consent"}
    assert check_name("required", "  Jan   Nowak ", True).name == "Jan Nowak"
    assert check_name("optional", "", False).problems == {}
    assert set(check_name("optional", "Jan Nowak", False).problems) == {"consent"}
    assert check_name("none", "Jan Nowak", True) == check_name("none", "", False)
    assert check_name("none", "Jan Nowak", True).name == ""
    assert set(check_name("optional", "J" * 121, True).problems) == {"name"}
    assert check_name("optional", "J" * 120, True).problems == {}
    assert set(check_name("optional", "Jan\x07", True).problems) == {"name"}


@pytest.mark.parametrize(
    ("data", "extension"),
    [
        (b"%PDF-1.7\n...", "pdf"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, "png"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 32, "jpg"),
        (b"MZ\x90\x00" + b"\x00" * 60, None),
        (b"GIF89a" + b"\x00" * 32, None),
        (b"<?xml version='1.0'?><svg/>", None),
        (b"", None),
    ],
)
def test_the_kind_comes_from_the_content(data: bytes, extension: str | None) -> None:
    found = kind_of(data)
    assert (found.extension if found else None) == extension


@pytest.mark.parametrize(
    ("uploaded", "safe"),
    [
        ("../../etc/passwd", "passwd.pdf"),
        ("..%2F..%2Fetc%2Fpasswd", "passwd.pdf"),
        ("C:\\Users\\Ewa\\Plan łąki.exe", "Plan-laki.pdf"),
        ("/etc/shadow\x00.pdf", "shadow.pdf"),
        ("....", "dokument.pdf"),
        ("", "dokument.pdf"),
        ("a" * 300 + ".pdf", "a" * 80 + ".pdf"),
        ('"; rm -rf / #.pdf', "dokument.pdf"),
        ("$(reboot); echo `id`.pdf", "reboot-echo-id.pdf"),
    ],
)
def test_download_names_are_safe(uploaded: str, safe: str) -> None:
    assert safe_filename(uploaded, PDF) == safe


def test_slugs_from_polish_titles() -> None:
    assert slug_from("Plan odnowy wsi Łąki — 2027!") == "plan-odnowy-wsi-laki-2027"
    assert slug_from("Żółć") == "zolc"


def _view(comments: tuple[Comment, ...]) -> ConsultationView:
    docs = (Document(5, "Projekt uchwały", "p.pdf", "application/pdf", 2048),)
    return ConsultationView(
        1, "plan", "Plan", "", "", START, END, "optional", True, "", None, "zakończona",
        docs, comments,
    )  # fmt: skip


def _comment(number: int, text: str, *, hidden: str = "", solectwo: str = "",
             document: int | None = None) -> Comment:  # fmt: skip
    when = datetime(2027, 3, 15, 23, 30, tzinfo=UTC)
    return Comment(number, number, text, "", solectwo, document, "", when, bool(hidden),
                   hidden, True, "")  # fmt: skip


def test_the_report_counts_and_its_csv() -> None:
    report = build(_view((
        _comment(1, "Tak", solectwo="Dąbrowa", document=5),
        _comment(2, "@SUM(A1)", solectwo="Dąbrowa"),
        _comment(3, "obraźliwe", hidden="obelgi"),
        _comment(4, "dane sąsiada", hidden="obelgi"),
        _comment(5, "-2", solectwo="Zalesie"),
    )), "Europe/Warsaw")  # fmt: skip
    assert report.received == 5 and report.rejected == 2
    assert report.reasons == (("obelgi", 2),)
    assert report.by_solectwo == (("Dąbrowa", 2), ("Zalesie", 1))
    assert report.by_document == (("bez wskazania dokumentu", 2), ("Projekt uchwały", 1))
    text = to_csv(report).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert [r[0] for r in rows[1:4]] == ["1", "2", "5"]
    assert rows[1][1] == "2027-03-16"  # the Warsaw day
    assert rows[2][6] == "'@SUM(A1)" and rows[3][6] == "'-2"
    assert "obraźliwe" not in text and ["Powód odrzucenia", "obelgi", "2"] in rows


def test_the_closed_message_names_the_period() -> None:
    view = _view(())
    assert "od 01.03.2027 do 15.03.2027" in closed_message(view)
