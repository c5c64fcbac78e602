"""The records behind a figure (drill-down): calls, reports, cases, residents, e-services,
announcements, incidents and warnings, newest first, with a Polish one-line summary and
the staff page that shows each.

Drill keys and their part filters are a fixed registry (``SOURCES``); a part that carries a
value (``kanal:email``, ``jrwa:1510``, ``kategoria:drogi``) is checked and then used only as
a bound parameter. The conditions are the measures' own (``filters``), so a list adds up
to its figure.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from sqlalchemy import ColumnElement, Select, exists, func, select
from sqlalchemy.orm import Session

from cic.announcements.models import Announcement, NewsCategory
from cic.calls.models import Call
from cic.cases.models import CASE_STATUSES, REPORT_CHANNELS, REPORT_STATUSES, Case, ContactReport
from cic.config import DashboardSettings
from cic.dashboard import filters
from cic.dashboard.errors import UnknownMeasure
from cic.dashboard.period import Period
from cic.dashboard.schemas import DrillRow
from cic.dashboard.sql import on_days, within
from cic.dashboard.strategy_office import FILING_PARTS, cards_at
from cic.dashboard.strategy_safety import reported
from cic.incidents.models import Incident, ThreatCategory
from cic.incidents.workflow import STATUSES
from cic.residents.models import Resident, ResidentEmail, ResidentNumber
from cic.warnings.models import SEVERITIES, ResidentWarning

#: A call's outcome in Polish.
OUTCOMES_PL = {
    "in_progress": "w toku",
    "answered": "odebrane",
    "abandoned": "porzucone",
    "message": "wiadomość",
    "unanswered": "nieodebrane",
    "lost": "utracone",
    "callback": "oddzwonienie",
}
_JRWA = re.compile(r"^\d{1,4}$")
_SLUG = re.compile(r"^[a-z0-9_-]{1,64}$")
MAX_TOPIC = 200
Rows = tuple[list[DrillRow], int]
Conditions = list[ColumnElement[bool]]


@dataclass(frozen=True)
class Ask:
    """What is asked for: the period, the part filter, the page and the settings."""

    period: Period
    part: str | None
    limit: int
    offset: int
    settings: DashboardSettings


def _split(part: str, prefix: str) -> str | None:
    return part[len(prefix) :] if part.startswith(prefix) else None


def _page(
    session: Session, query: Select[*tuple[Any, ...]], where: Conditions, ask: Ask
) -> tuple[list[Any], int]:
    """The rows of ``query`` matching ``where`` for the asked page, and how many match."""
    matching = query.where(*where)
    total = session.scalar(select(func.count()).select_from(matching.order_by(None).subquery()))
    rows = session.execute(matching.limit(ask.limit).offset(ask.offset)).all()
    return list(rows), int(total or 0)


def _iso(value: date | datetime | None) -> str:
    return "" if value is None else value.isoformat()


def _report_row(r: ContactReport) -> DrillRow:
    channel, status = (
        REPORT_CHANNELS.get(r.channel, r.channel),
        REPORT_STATUSES.get(r.status, r.status),
    )
    return DrillRow(
        "zgloszenie",
        str(r.id),
        _iso(r.created_at),
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
        _iso(c.started_on),
        f"{c.signature}: {c.title} ({status})",
        f"/sprawy?znak={quote(c.signature)}",
        (("Wszczęta", f"{c.started_on:%d.%m.%Y}"), ("Zakończona", closed), ("Stan", status)),
    )


def _reports(session: Session, ask: Ask) -> Rows:
    where: Conditions = [within(ContactReport.created_at, ask.period)]
    part = ask.part
    channel = _split(part or "", "kanal:")
    if part == "skargi_zgloszenia":
        where.append(
            filters.complaint_report(ask.settings.complaint_jrwa, ask.settings.complaint_topics)
        )
    elif channel in REPORT_CHANNELS:
        where.append(ContactReport.channel == channel)
    elif part not in (None, "zgloszenia"):
        raise UnknownMeasure()
    query = select(ContactReport).order_by(ContactReport.created_at.desc(), ContactReport.id.desc())
    rows, total = _page(session, query, where, ask)
    return [_report_row(r) for (r,) in rows], total


def _reports_closed(session: Session, ask: Ask) -> Rows:
    handled = filters.report_handled_at()
    where: Conditions = [handled.is_not(None), within(handled, ask.period)]
    topic = _split(ask.part or "", "temat:")
    if ask.part is not None:
        if topic is None or not topic or len(topic) > MAX_TOPIC:
            raise UnknownMeasure()
        where.append(ContactReport.topic == topic)
    query = select(ContactReport).order_by(handled.desc(), ContactReport.id.desc())
    rows, total = _page(session, query, where, ask)
    return [_report_row(r) for (r,) in rows], total


def _cases(session: Session, ask: Ask) -> Rows:
    where: Conditions = [on_days(Case.started_on, ask.period)]
    if ask.part == "skargi_sprawy":
        where.append(filters.complaint_case(ask.settings.complaint_jrwa))
    elif ask.part == "bez_zgloszenia":
        where.append(filters.direct_case())
    elif ask.part is not None:
        raise UnknownMeasure()
    query = select(Case).order_by(Case.started_on.desc(), Case.id.desc())
    rows, total = _page(session, query, where, ask)
    return [_case_row(c) for (c,) in rows], total


def _cases_closed(session: Session, ask: Ask) -> Rows:
    where: Conditions = [Case.closed_on.is_not(None), on_days(Case.closed_on, ask.period)]
    if ask.part is not None:
        symbol = _split(ask.part, "jrwa:")
        if symbol is None or not _JRWA.match(symbol):
            raise UnknownMeasure()
        where.append(Case.jrwa == symbol)
    query = select(Case).order_by(Case.closed_on.desc(), Case.id.desc())
    rows, total = _page(session, query, where, ask)
    return [_case_row(c) for (c,) in rows], total


def _residents(session: Session, ask: Ask) -> Rows:
    start, end = ask.period.bounds()
    where: Conditions = [Resident.merged_into.is_(None), Resident.created_at < end]
    extra = {
        None: None,
        "nowi": Resident.created_at >= start,
        "telefon": exists().where(
            ResidentNumber.resident_id == Resident.id, ResidentNumber.created_at < end
        ),
        "email": exists().where(
            ResidentEmail.resident_id == Resident.id, ResidentEmail.created_at < end
        ),
    }
    if ask.part not in extra:
        raise UnknownMeasure()
    condition = extra[ask.part]
    if condition is not None:
        where.append(condition)
    query = select(Resident).order_by(Resident.created_at.desc(), Resident.id.desc())
    rows, total = _page(session, query, where, ask)
    return [
        DrillRow(
            "mieszkaniec", str(r.id), _iso(r.created_at), f"Mieszkaniec nr {r.id}: {r.name}", ""
        )
        for (r,) in rows
    ], total


def _eservices(session: Session, ask: Ask) -> Rows:
    if ask.part is not None and ask.part not in FILING_PARTS:
        raise UnknownMeasure()
    end = ask.period.bounds()[1]
    cards = [c for c in cards_at(session, end) if ask.part is None or ask.part in c.ways]
    page = cards[ask.offset : ask.offset + ask.limit]
    return [
        DrillRow(
            "e-usluga",
            c.slug,
            "",
            f"E-usługa: {c.title}",
            f"/e-urzad/uslugi/{c.slug}",
            (("Sposoby", ", ".join(FILING_PARTS[w] for w in FILING_PARTS if w in c.ways) or "—"),),
        )
        for c in page
    ], len(cards)


def _announcements(session: Session, ask: Ask) -> Rows:
    where: Conditions = [filters.published(), within(Announcement.publish_at, ask.period)]
    if ask.part is not None:
        slug = _split(ask.part, "kategoria:")
        if slug is None or not _SLUG.match(slug):
            raise UnknownMeasure()
        where.append(NewsCategory.slug == slug)
    query = (
        select(Announcement, NewsCategory.name)
        .join(NewsCategory, NewsCategory.id == Announcement.category_id)
        .order_by(Announcement.publish_at.desc(), Announcement.id.desc())
    )
    rows, total = _page(session, query, where, ask)
    return [
        DrillRow(
            "ogloszenie",
            str(a.id),
            _iso(a.publish_at),
            f"Ogłoszenie: {a.title} ({name})",
            f"/redakcja/ogloszenia/{a.id}",
            (("Kategoria", name),),
        )
        for a, name in rows
    ], total


def _incidents(session: Session, ask: Ask) -> Rows:
    where: Conditions = list(reported(ask.period))
    if ask.part is not None:
        slug, status = _split(ask.part, "kategoria:"), _split(ask.part, "stan:")
        if slug is not None and _SLUG.match(slug):
            where.append(ThreatCategory.slug == slug)
        elif status is not None and status in STATUSES:
            where.append(Incident.status == status)
        else:
            raise UnknownMeasure()
    query = (
        select(Incident, ThreatCategory.name)
        .join(ThreatCategory, ThreatCategory.id == Incident.category_id)
        .order_by(Incident.created_at.desc(), Incident.id.desc())
    )
    rows, total = _page(session, query, where, ask)
    return [
        DrillRow(
            "zagrozenie",
            str(i.id),
            _iso(i.created_at),
            f"Zagrożenie nr {i.id}: {i.title} ({name}, {STATUSES.get(i.status, i.status)})",
            f"/bezpieczenstwo/zgloszenia/{i.id}",
            (("Kategoria", name), ("Miejsce", i.address or "—")),
        )
        for i, name in rows
    ], total


def _warnings(session: Session, ask: Ask) -> Rows:
    where: Conditions = [
        ResidentWarning.sent_at.is_not(None),
        within(ResidentWarning.sent_at, ask.period),
    ]
    if ask.part is not None:
        severity = _split(ask.part, "waga:")
        if severity not in SEVERITIES:
            raise UnknownMeasure()
        where.append(ResidentWarning.severity == severity)
    query = select(ResidentWarning).order_by(
        ResidentWarning.sent_at.desc(), ResidentWarning.id.desc()
    )
    rows, total = _page(session, query, where, ask)
    return [
        DrillRow(
            "ostrzezenie",
            str(w.id),
            _iso(w.sent_at),
            f"Ostrzeżenie: {w.title} ({SEVERITIES.get(w.severity, w.severity)})",
            f"/bezpieczenstwo/ostrzezenia/{w.id}",
        )
        for (w,) in rows
    ], total


def _calls(session: Session, ask: Ask) -> Rows:
    where: Conditions = [within(Call.entered_at, ask.period)]
    if ask.part == "odebrane":
        where.append(filters.answered_call())
    elif ask.part is not None:
        raise UnknownMeasure()
    query = select(Call).order_by(Call.entered_at.desc(), Call.id.desc())
    rows, total = _page(session, query, where, ask)
    return [_call_row(c) for (c,) in rows], total


def _seconds(value: float | None) -> str:
    return "—" if value is None else f"{round(value)} s"


def _call_row(c: Call) -> DrillRow:
    outcome = OUTCOMES_PL.get(c.outcome, c.outcome)
    return DrillRow(
        "polaczenie",
        c.call_id,
        _iso(c.entered_at),
        f"Połączenie: {outcome}, kolejka {c.queue or '—'}",
        f"/polaczenia/{quote(c.call_id, safe='')}",
        (
            ("Oczekiwanie", _seconds(c.wait_seconds)),
            ("Rozmowa", _seconds(c.talk_seconds)),
            ("Konsultant", c.agent or "—"),
        ),
    )


#: Every drill-down key and the function listing its records.
SOURCES: dict[str, Callable[[Session, Ask], Rows]] = {
    "reports": _reports,
    "reports.closed": _reports_closed,
    "cases": _cases,
    "cases.closed": _cases_closed,
    "residents": _residents,
    "eservices": _eservices,
    "announcements": _announcements,
    "incidents": _incidents,
    "warnings": _warnings,
    "calls": _calls,
}


def drill(
    session: Session,
    key: str,
    period: Period,
    part: str | None = None,
    limit: int = 50,
    offset: int = 0,
    settings: DashboardSettings | None = None,
) -> Rows:
    """The records behind the drill key ``key`` (``part``: one part's filter) for ``period``:
    one page of rows and how many there are. :class:`UnknownMeasure` for an unknown key or
    part."""
    source = SOURCES.get(key)
    if source is None:
        raise UnknownMeasure()
    return source(session, Ask(period, part, limit, offset, settings or DashboardSettings()))
