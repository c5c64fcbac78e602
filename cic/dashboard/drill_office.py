"""Drill-downs of the office's measures: residents, e-services, announcements, incidents
and warnings."""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from cic.announcements.models import Announcement, NewsCategory
from cic.dashboard import filters
from cic.dashboard.drill_common import (
    SLUG,
    Ask,
    Conditions,
    Rows,
    iso,
    page,
    split,
)
from cic.dashboard.errors import UnknownMeasure
from cic.dashboard.schemas import DrillRow
from cic.dashboard.sql import within
from cic.dashboard.strategy_office import FILING_PARTS, cards_at
from cic.dashboard.strategy_safety import reported
from cic.incidents.models import Incident, ThreatCategory
from cic.incidents.workflow import STATUSES
from cic.residents.models import Resident, ResidentEmail, ResidentNumber
from cic.warnings.models import SEVERITIES, ResidentWarning


def residents(session: Session, ask: Ask) -> Rows:
    """Residents registered at the period's end (all, new, with a number or an address)."""
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
    rows, total = page(session, query, where, ask)
    return [
        DrillRow(
            "mieszkaniec", str(r.id), iso(r.created_at), f"Mieszkaniec nr {r.id}: {r.name}", ""
        )
        for (r,) in rows
    ], total


def eservices(session: Session, ask: Ask) -> Rows:
    """E-services at the period's end (all, or those filed one way)."""
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


def announcements(session: Session, ask: Ask) -> Rows:
    """Announcements published in the period (all, or of one category)."""
    where: Conditions = [filters.published(), within(Announcement.publish_at, ask.period)]
    if ask.part is not None:
        slug = split(ask.part, "kategoria:")
        if slug is None or not SLUG.match(slug):
            raise UnknownMeasure()
        where.append(NewsCategory.slug == slug)
    query = (
        select(Announcement, NewsCategory.name)
        .join(NewsCategory, NewsCategory.id == Announcement.category_id)
        .order_by(Announcement.publish_at.desc(), Announcement.id.desc())
    )
    rows, total = page(session, query, where, ask)
    return [
        DrillRow(
            "ogloszenie",
            str(a.id),
            iso(a.publish_at),
            f"Ogłoszenie: {a.title} ({name})",
            f"/redakcja/ogloszenia/{a.id}",
            (("Kategoria", name),),
        )
        for a, name in rows
    ], total


def incidents(session: Session, ask: Ask) -> Rows:
    """Incidents reported in the period (all, of one category, or in one status)."""
    where: Conditions = list(reported(ask.period))
    if ask.part is not None:
        slug, status = split(ask.part, "kategoria:"), split(ask.part, "stan:")
        if slug is not None and SLUG.match(slug):
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
    rows, total = page(session, query, where, ask)
    return [
        DrillRow(
            "zagrozenie",
            str(i.id),
            iso(i.created_at),
            f"Zagrożenie nr {i.id}: {i.title} ({name}, {STATUSES.get(i.status, i.status)})",
            f"/bezpieczenstwo/zgloszenia/{i.id}",
            (("Kategoria", name), ("Miejsce", i.address or "—")),
        )
        for i, name in rows
    ], total


def warnings(session: Session, ask: Ask) -> Rows:
    """Warnings sent in the period (all, or of one severity)."""
    where: Conditions = [
        ResidentWarning.sent_at.is_not(None),
        within(ResidentWarning.sent_at, ask.period),
    ]
    if ask.part is not None:
        severity = split(ask.part, "waga:")
        if severity not in SEVERITIES:
            raise UnknownMeasure()
        where.append(ResidentWarning.severity == severity)
    query = select(ResidentWarning).order_by(
        ResidentWarning.sent_at.desc(), ResidentWarning.id.desc()
    )
    rows, total = page(session, query, where, ask)
    return [
        DrillRow(
            "ostrzezenie",
            str(w.id),
            iso(w.sent_at),
            f"Ostrzeżenie: {w.title} ({SEVERITIES.get(w.severity, w.severity)})",
            f"/bezpieczenstwo/ostrzezenia/{w.id}",
        )
        for (w,) in rows
    ], total
