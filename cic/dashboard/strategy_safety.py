"""The strategy's safety measures: incidents reported in the period (per threat category and
per status) and warnings sent to residents."""

from __future__ import annotations

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from cic.dashboard.period import Period
from cic.dashboard.schemas import Figure
from cic.dashboard.sql import count_parts, counts_series, daily, grouped, within
from cic.incidents.models import Incident, ThreatCategory
from cic.incidents.workflow import MERGED, STATUSES
from cic.warnings.models import SEVERITIES, ResidentWarning


def reported(period: Period) -> tuple[ColumnElement[bool], ...]:
    """Incidents reported in the period, duplicates merged into another one left out."""
    return (within(Incident.created_at, period), Incident.status != MERGED)


def _per_category(session: Session, period: Period) -> dict[str, int]:
    query = (
        select(ThreatCategory.slug, func.count(Incident.id))
        .join(ThreatCategory, ThreatCategory.id == Incident.category_id)
        .where(*reported(period))
        .group_by(ThreatCategory.slug)
    )
    return {str(slug): int(n) for slug, n in session.execute(query).all()}


def incidents(session: Session, period: Period) -> Figure:
    """Safety incidents reported in the period."""
    previous = period.previous()
    categories, categories_before = _per_category(session, period), _per_category(session, previous)
    statuses = grouped(session, Incident.status, *reported(period))
    statuses_before = grouped(session, Incident.status, *reported(previous))
    names = dict(
        session.execute(
            select(ThreatCategory.slug, ThreatCategory.name).order_by(
                ThreatCategory.position, ThreatCategory.id
            )
        ).all()
    )
    status_labels = {k: f"Stan: {v}" for k, v in STATUSES.items() if k != MERGED}
    parts = count_parts(categories, categories_before, names, "incidents", "kategoria:")
    parts += count_parts(statuses, statuses_before, status_labels, "incidents", "stan:")
    days = daily(session, period, Incident.created_at, Incident.status != MERGED)
    return Figure(
        "strategy.incidents",
        "Zdarzenia zagrażające bezpieczeństwu",
        "liczba",
        float(sum(categories.values())),
        float(sum(categories_before.values())),
        description=(
            "Zgłoszenia zagrożeń przyjęte w okresie (telefon, portal, personel) bez duplikatów "
            "połączonych z innym zgłoszeniem, według kategorii zagrożenia i obecnego stanu."
        ),
        drill="incidents",
        parts=parts,
        series=counts_series(period, days),
    )


def warnings_sent(session: Session, period: Period) -> Figure:
    """Warnings sent to residents in the period, per severity."""
    sent = ResidentWarning.sent_at.is_not(None)
    now = grouped(session, ResidentWarning.severity, sent, within(ResidentWarning.sent_at, period))
    before = grouped(
        session, ResidentWarning.severity, sent, within(ResidentWarning.sent_at, period.previous())
    )
    days = daily(session, period, ResidentWarning.sent_at, sent)
    return Figure(
        "strategy.warnings",
        "Wysłane ostrzeżenia dla mieszkańców",
        "liczba",
        float(sum(now.values())),
        float(sum(before.values())),
        description=(
            "Ostrzeżenia wysłane mieszkańcom w okresie (portal, e-mail, SMS, połączenia), "
            "także później odwołane, według wagi."
        ),
        drill="warnings",
        parts=count_parts(
            now, before, {k: v.capitalize() for k, v in SEVERITIES.items()}, "warnings", "waga:"
        ),
        series=counts_series(period, days),
    )
