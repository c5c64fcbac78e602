"""Drill-downs of the measures about matters: contact reports, cases and calls."""

from __future__ import annotations

from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.orm import Session

from cic.calls.labels import OUTCOMES
from cic.calls.models import Call
from cic.cases.models import CASE_STATUSES, REPORT_CHANNELS, REPORT_STATUSES, Case, ContactReport
from cic.dashboard import filters
from cic.dashboard.drill_common import (
    JRWA_SYMBOL,
    MAX_TOPIC,
    Ask,
    Conditions,
    Rows,
    iso,
    page,
    split,
)
from cic.dashboard.errors import UnknownMeasure
from cic.dashboard.schemas import DrillRow
from cic.dashboard.sql import on_days, within

#: A call's outcome in Polish (one table for every page: ``cic.calls.labels``).
OUTCOMES_PL = OUTCOMES


def _report_row(r: ContactReport) -> DrillRow:
    channel, status = (
        REPORT_CHANNELS.get(r.channel, r.channel),
        REPORT_STATUSES.get(r.status, r.status),
    )
    return DrillRow(
        "zgloszenie",
        str(r.id),
        iso(r.created_at),
        f"Zgłoszenie nr {r.id}: {r.topic} ({channel}, {status})",
        f"/sprawy?zgloszenie={r.id}",
        (("Kanał", channel), ("Stan", status), ("Komórka", r.department or "—")),
    )


def _case_row(c: Case) -> DrillRow:
    status = CASE_STATUSES.get(c.status, c.status)
    closed = f"{c.closed_on:%d.%m.%Y}" if c.closed_on else "—"
    return DrillRow(
        "sprawa",
        c.signature,
        iso(c.started_on),
        f"{c.signature}: {c.title} ({status})",
        f"/sprawy?znak={quote(c.signature)}",
        (("Wszczęta", f"{c.started_on:%d.%m.%Y}"), ("Zakończona", closed), ("Stan", status)),
    )


def reports(session: Session, ask: Ask) -> Rows:
    """Contact reports received in the period (all, per channel, or the complaint ones)."""
    where: Conditions = [within(ContactReport.created_at, ask.period)]
    part = ask.part
    channel = split(part or "", "kanal:")
    if part == "skargi_zgloszenia":
        where.append(
            filters.complaint_report(ask.settings.complaint_jrwa, ask.settings.complaint_topics)
        )
    elif channel in REPORT_CHANNELS:
        where.append(ContactReport.channel == channel)
    elif part not in (None, "zgloszenia"):
        raise UnknownMeasure()
    query = select(ContactReport).order_by(ContactReport.created_at.desc(), ContactReport.id.desc())
    rows, total = page(session, query, where, ask)
    return [_report_row(r) for (r,) in rows], total


def reports_closed(session: Session, ask: Ask) -> Rows:
    """Contact reports dealt with in the period (all, or of one topic)."""
    handled = filters.report_handled_at()
    where: Conditions = [handled.is_not(None), within(handled, ask.period)]
    topic = split(ask.part or "", "temat:")
    if ask.part is not None:
        if topic is None or not topic or len(topic) > MAX_TOPIC:
            raise UnknownMeasure()
        where.append(ContactReport.topic == topic)
    query = select(ContactReport).order_by(handled.desc(), ContactReport.id.desc())
    rows, total = page(session, query, where, ask)
    return [_report_row(r) for (r,) in rows], total


def cases(session: Session, ask: Ask) -> Rows:
    """Cases started in the period (all, the complaint ones, or those without a report)."""
    where: Conditions = [on_days(Case.started_on, ask.period)]
    if ask.part == "skargi_sprawy":
        where.append(filters.complaint_case(ask.settings.complaint_jrwa))
    elif ask.part == "bez_zgloszenia":
        where.append(filters.direct_case())
    elif ask.part is not None:
        raise UnknownMeasure()
    query = select(Case).order_by(Case.started_on.desc(), Case.id.desc())
    rows, total = page(session, query, where, ask)
    return [_case_row(c) for (c,) in rows], total


def cases_closed(session: Session, ask: Ask) -> Rows:
    """Cases closed in the period (all, or of one JRWA class)."""
    where: Conditions = [Case.closed_on.is_not(None), on_days(Case.closed_on, ask.period)]
    if ask.part is not None:
        symbol = split(ask.part, "jrwa:")
        if symbol is None or not JRWA_SYMBOL.match(symbol):
            raise UnknownMeasure()
        where.append(Case.jrwa == symbol)
    query = select(Case).order_by(Case.closed_on.desc(), Case.id.desc())
    rows, total = page(session, query, where, ask)
    return [_case_row(c) for (c,) in rows], total


def calls(session: Session, ask: Ask) -> Rows:
    """Calls that came in during the period (all, or the answered ones)."""
    where: Conditions = [within(Call.entered_at, ask.period)]
    if ask.part == "odebrane":
        where.append(filters.answered_call())
    elif ask.part is not None:
        raise UnknownMeasure()
    query = select(Call).order_by(Call.entered_at.desc(), Call.id.desc())
    rows, total = page(session, query, where, ask)
    return [_call_row(c) for (c,) in rows], total


def _seconds(value: float | None) -> str:
    return "—" if value is None else f"{round(value)} s"


def _call_row(c: Call) -> DrillRow:
    outcome = OUTCOMES_PL.get(c.outcome, c.outcome)
    return DrillRow(
        "polaczenie",
        c.call_id,
        iso(c.entered_at),
        f"Połączenie: {outcome}, kolejka {c.queue or '—'}",
        f"/polaczenia/{quote(c.call_id, safe='')}",
        (
            ("Oczekiwanie", _seconds(c.wait_seconds)),
            ("Rozmowa", _seconds(c.talk_seconds)),
            ("Konsultant", c.agent or "—"),
        ),
    )
