"""The dashboard's Polish wording: numbers, the change against the previous period, the
council report's sentences, dates of drill-down rows, and who the management may not reach."""

from __future__ import annotations

from datetime import date

from cic.auth.roles import confined_out
from cic.auth.sessions import CurrentUser
from cic.dashboard.export import decimal, sheet_title, text
from cic.dashboard.period import Period, month
from cic.dashboard.present import change_of, number, part_unit, sentence, when, with_unit
from cic.dashboard.schemas import Figure, Part, unavailable

OCTOBER = month(2026, 10)


def test_numbers_the_polish_way() -> None:
    assert number(1234567.25) == "1\u00a0234\u00a0567,2"
    assert (number(12.0), number(None), with_unit(83.33, "%"), with_unit(42, "s")) == (
        "12", "—", "83,3%", "42 s",
    )  # fmt: skip
    assert (decimal(3.25), decimal(4.0), decimal(None)) == ("3,25", "4", "")


def test_sentences_for_the_council() -> None:
    reports = Figure("a", "Liczba zgłoszeń", "liczba", 112, 100)
    assert sentence(reports, OCTOBER) == (
        "Liczba zgłoszeń wzrosła o 12% względem września (z 100 do 112)."
    )
    level = Figure("b", "Poziom obsługi", "%", 78.5, 80.0, higher_is_better=True)
    assert sentence(level, OCTOBER) == (
        "Poziom obsługi spadł o 1,5 pkt proc. względem września (z 80% do 78,5%)."
    )
    assert change_of(level).tone == "bad" and change_of(level).arrow == "↓"
    same = Figure("c", "Obłożenie konsultantów", "%", 60, 60)
    assert sentence(same, OCTOBER) == (
        "Obłożenie konsultantów nie zmieniło się względem września (60%)."
    )
    off = unavailable("d", "Odsetek spraw przez ePUAP", "%", "Rejestr nie jest prowadzony.")
    assert (
        sentence(off, OCTOBER)
        == "Odsetek spraw przez ePUAP: brak danych. Rejestr nie jest prowadzony."
    )
    span = Period(date(2026, 10, 1), date(2026, 10, 10))
    new = Figure("e", "Liczba zgłoszeń", "liczba", 5, 0)
    assert sentence(new, span) == (
        "Liczba zgłoszeń wzrosła o 5 względem poprzedniego okresu (21.09.2026–30.09.2026)"
        " (z 0 do 5)."
    )


def test_drill_dates_and_sheet_names_and_formulas() -> None:
    assert when("2026-10-31T23:30:00+00:00", "Europe/Warsaw") == "01.11.2026 00:30"
    assert when("2026-07-01", "Europe/Warsaw") == "01.07.2026"
    taken: set[str] = set()
    assert (
        sheet_title("Skargi: wnioski [i] zgłoszenia / rok", taken)
        == "Skargi wnioski i zgłoszenia rok"
    )
    assert (
        sheet_title("Skargi: wnioski [i] zgłoszenia / rok", taken)
        == "Skargi wnioski i zgłoszenia r 2"
    )
    assert [text(v) for v in ("=1+1", "+48", "-x", "@a", "zwykły")] == [
        "'=1+1", "'+48", "'-x", "'@a", "zwykły",
    ]  # fmt: skip


def test_management_is_confined_to_the_dashboard() -> None:
    boss = CurrentUser(1, "wojt", "Wójt", "management", None)
    chief = CurrentUser(2, "szef", "Szef", "supervisor", None)
    assert not confined_out(boss, "/wskazniki/strategy.complaints")
    assert not confined_out(boss, "/api/wskazniki")
    assert confined_out(boss, "/wskaznikix") and confined_out(boss, "/sprawy")
    assert not confined_out(chief, "/sprawy")


def test_a_ratios_counted_parts_are_plain_counts() -> None:
    counted = Part("zgloszenia", "Zgłoszenia", 4.0, 2.0, count=4)
    averaged = Part("jrwa:3110", "3110", 2.5, 3.0, count=4)
    assert (part_unit(counted, "na 1000"), part_unit(counted, "%")) == ("liczba", "liczba")
    assert (part_unit(averaged, "dni"), part_unit(counted, "dni")) == ("dni", "dni")
