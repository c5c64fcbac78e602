"""The strategy's measures about matters: complaints per 1000 matters, handling time per kind
of matter, and the share of matters handled electronically (internet, phone)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cic.calls.models import Call
from cic.cases.catalogue import catalogue
from cic.cases.models import REPORT_CHANNELS, Case, ContactReport
from cic.config import DashboardSettings
from cic.dashboard import filters
from cic.dashboard.period import Period
from cic.dashboard.schemas import Figure, Part, Point
from cic.dashboard.sql import (
    count,
    count_parts,
    daily,
    daily_dates,
    daily_grouped,
    days_between,
    fixed_parts,
    grouped,
    on_days,
    ratio,
    totals,
    within,
)

COMPLAINT_PARTS = {
    "skargi_sprawy": ("Sprawy ze skarg i wniosków (JRWA)", "cases"),
    "skargi_zgloszenia": ("Zgłoszenia-skargi bez takiej sprawy", "reports"),
    "zgloszenia": ("Zgłoszenia (wszystkie kanały)", "reports"),
    "bez_zgloszenia": ("Sprawy wszczęte bez zgłoszenia", "cases"),
}


def _complaint_counts(
    session: Session, period: Period, settings: DashboardSettings
) -> dict[str, int]:
    created = within(ContactReport.created_at, period)
    started = on_days(Case.started_on, period)
    jrwa, topics = settings.complaint_jrwa, settings.complaint_topics
    return {
        "skargi_sprawy": count(session, started, filters.complaint_case(jrwa), of=Case.id),
        "skargi_zgloszenia": count(
            session, created, filters.complaint_report(jrwa, topics), of=ContactReport.id
        ),
        "zgloszenia": count(session, created, of=ContactReport.id),
        "bez_zgloszenia": count(session, started, filters.direct_case(), of=Case.id),
    }


def _per_1000(counts: dict[str, int]) -> float | None:
    matters = counts["zgloszenia"] + counts["bez_zgloszenia"]
    return ratio(counts["skargi_sprawy"] + counts["skargi_zgloszenia"], matters, 1000.0)


def _complaint_days(
    session: Session, period: Period, settings: DashboardSettings
) -> dict[str, dict[date, int]]:
    jrwa, topics = settings.complaint_jrwa, settings.complaint_topics
    created = ContactReport.created_at
    return {
        "skargi_sprawy": daily_dates(
            session, period, Case.started_on, filters.complaint_case(jrwa)
        ),
        "skargi_zgloszenia": daily(
            session, period, created, filters.complaint_report(jrwa, topics)
        ),
        "zgloszenia": daily(session, period, created),
        "bez_zgloszenia": daily_dates(session, period, Case.started_on, filters.direct_case()),
    }


def _day(days: dict[str, dict[date, int]], day: date) -> dict[str, int]:
    return {key: counts.get(day, 0) for key, counts in days.items()}


def complaints(session: Session, period: Period, settings: DashboardSettings) -> Figure:
    """Complaints and motions (skargi i wnioski) per 1000 matters."""
    days = _complaint_days(session, period, settings)
    now = {key: sum(counts.values()) for key, counts in days.items()}
    before = _complaint_counts(session, period.previous(), settings)
    parts = fixed_parts(now, before, COMPLAINT_PARTS)
    return Figure(
        "strategy.complaints",
        "Skargi i wnioski na 1000 spraw",
        "na 1000",
        _per_1000(now),
        _per_1000(before),
        description=(
            "Skargi i wnioski: sprawy wszczęte w okresie w klasach JRWA "
            f"{', '.join(settings.complaint_jrwa)} oraz zgłoszenia z okresu w tematach "
            f"{', '.join(settings.complaint_topics)}, które nie stały się taką sprawą. "
            "Sprawy: zgłoszenia przyjęte w okresie wszystkimi kanałami oraz sprawy wszczęte "
            "w okresie bez zgłoszenia. Wynik: skargi i wnioski na 1000 spraw."
        ),
        parts=parts,
        series=tuple(Point(d, _per_1000(_day(days, d))) for d in period.day_list()),
        higher_is_better=False,
    )


def _case_times(session: Session, period: Period) -> dict[str, tuple[float, int]]:
    days = days_between(session, Case.started_on, Case.closed_on)
    query = (
        select(Case.jrwa, func.avg(days), func.count())
        .where(Case.closed_on.is_not(None), on_days(Case.closed_on, period))
        .group_by(Case.jrwa)
    )
    return {str(j): (float(avg), int(n)) for j, avg, n in session.execute(query).all()}


def _report_times(session: Session, period: Period) -> dict[str, tuple[float, int]]:
    handled = filters.report_handled_at()
    days = days_between(session, ContactReport.created_at, handled)
    query = (
        select(ContactReport.topic, func.avg(days), func.count())
        .where(handled.is_not(None), within(handled, period))
        .group_by(ContactReport.topic)
    )
    return {str(t): (float(avg), int(n)) for t, avg, n in session.execute(query).all()}


def _average(times: Sequence[tuple[float, int]]) -> float | None:
    total = sum(n for _, n in times)
    return None if not total else round(sum(avg * n for avg, n in times) / total, 1)


def _time_parts(
    now: dict[str, tuple[float, int]],
    before: dict[str, tuple[float, int]],
    label: dict[str, str],
    prefix: str,
    drill: str,
) -> list[Part]:
    keys = sorted(set(now) | set(before), key=lambda k: (-now.get(k, (0.0, 0))[1], k))
    return [
        Part(
            f"{prefix}:{k}",
            label.get(k, k),
            round(now[k][0], 1) if k in now else None,
            round(before[k][0], 1) if k in before else None,
            count=now.get(k, (0.0, 0))[1],
            drill=drill,
        )
        for k in keys
    ]


def handling_time(session: Session, period: Period) -> Figure:
    """Average days from start to closing of the matters dealt with in the period."""
    previous = period.previous()
    cases_now, cases_before = _case_times(session, period), _case_times(session, previous)
    reports_now, reports_before = _report_times(session, period), _report_times(session, previous)
    names = catalogue(session)["names"]
    jrwa_labels = {
        s: f"{s} {names[s]}" if s in names else s for s in set(cases_now) | set(cases_before)
    }
    topic_labels = {t: f"Zgłoszenie: {t}" for t in set(reports_now) | set(reports_before)}
    parts = _time_parts(cases_now, cases_before, jrwa_labels, "jrwa", "cases.closed")
    parts += _time_parts(reports_now, reports_before, topic_labels, "temat", "reports.closed")
    return Figure(
        "strategy.handling_time",
        "Czas załatwienia sprawy",
        "dni",
        _average([*cases_now.values(), *reports_now.values()]),
        _average([*cases_before.values(), *reports_before.values()]),
        description=(
            "Średnia liczba dni od wszczęcia do zakończenia spraw zakończonych w okresie "
            "(według klas JRWA) oraz od przyjęcia zgłoszenia do odpowiedzi albo zamknięcia "
            "dla zgłoszeń załatwionych w okresie (według tematów); wynik ogólny to średnia "
            "ze wszystkich tych spraw i zgłoszeń."
        ),
        parts=tuple(parts),
        higher_is_better=False,
    )


def electronic(session: Session, period: Period) -> Figure:
    """The share of matters that came in electronically (e-mail, www, ePUAP) or by phone."""
    previous = period.previous()
    days = daily_grouped(session, period, ContactReport.created_at, ContactReport.channel)
    now = totals(days)
    before = grouped(session, ContactReport.channel, within(ContactReport.created_at, previous))

    def share(counts: dict[str, int]) -> float | None:
        electronic = sum(counts.get(c, 0) for c in filters.ELECTRONIC_CHANNELS)
        return ratio(electronic, sum(counts.values()))

    parts = count_parts(now, before, REPORT_CHANNELS, "reports", "kanal:")
    answered = [
        count(session, within(Call.entered_at, p), filters.answered_call(), of=Call.id)
        for p in (period, previous)
    ]
    calls = Part(
        "odebrane",
        "Odebrane połączenia telefoniczne",
        float(answered[0]),
        float(answered[1]),
        count=answered[0],
        drill="calls",
    )
    series = tuple(Point(d, share(days.get(d, {}))) for d in period.day_list())
    return Figure(
        "strategy.electronic",
        "Sprawy załatwiane elektronicznie (internet, telefon)",
        "%",
        share(now),
        share(before),
        description=(
            "Udział zgłoszeń przyjętych w okresie przez e-mail, formularz www, ePUAP i telefon "
            "wśród wszystkich zgłoszeń z okresu (pozostałe: osobiście). Obok liczby zgłoszeń "
            "według kanałów i liczba odebranych połączeń telefonicznych."
        ),
        drill="reports",
        parts=(*parts, calls),
        series=series,
        higher_is_better=True,
    )
