"""The strategy's measures about the office's e-services and clients: e-services (articles
with a service card) and registered clients."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from cic.announcements.models import NewsSubscriber
from cic.dashboard.period import Period
from cic.dashboard.schemas import Figure
from cic.dashboard.sql import (
    count,
    count_parts,
    fixed_parts,
)
from cic.kb.models import KbArticle, KbArticleVersion
from cic.residents.models import Resident, ResidentEmail, ResidentNumber
from cic.warnings.models import WarningSubscription

#: Ways an e-service can be used without coming to the office (card field -> Polish label).
FILING_PARTS = {
    "epuap": "Do złożenia przez ePUAP",
    "online": "Z usługą online (np. gov.pl)",
    "formularze": "Z formularzem do pobrania",
}


@dataclass(frozen=True)
class ServiceCard:
    """An e-service (a KB article with a card) as it stood at some moment."""

    article_id: int
    slug: str
    title: str
    ways: frozenset[str]  # keys of FILING_PARTS that apply


def _ways(card: Mapping[str, Any]) -> frozenset[str]:
    found = set()
    if "epuap" in (card.get("how_to_file") or ()):
        found.add("epuap")
    if card.get("online"):
        found.add("online")
    if card.get("forms"):
        found.add("formularze")
    return frozenset(found)


def cards_at(session: Session, moment: datetime) -> list[ServiceCard]:
    """The active articles whose version in force at ``moment`` has a service card."""
    latest = (
        select(KbArticleVersion.article_id, func.max(KbArticleVersion.version).label("version"))
        .where(KbArticleVersion.created_at < moment)
        .group_by(KbArticleVersion.article_id)
        .subquery()
    )
    query = (
        select(KbArticle.id, KbArticle.slug, KbArticle.title, KbArticleVersion.front_matter)
        .join(latest, latest.c.article_id == KbArticle.id)
        .join(
            KbArticleVersion,
            (KbArticleVersion.article_id == KbArticle.id)
            & (KbArticleVersion.version == latest.c.version),
        )
        .where(KbArticle.active.is_(True), KbArticle.created_at < moment)
        .order_by(KbArticle.title, KbArticle.id)
    )
    found = []
    for article_id, slug, title, front in session.execute(query).all():
        card = front.get("card") if isinstance(front, dict) else None
        if isinstance(card, dict):
            found.append(ServiceCard(article_id, slug, title, _ways(card)))
    return found


def _card_counts(cards: list[ServiceCard]) -> dict[str, int]:
    return {key: sum(key in c.ways for c in cards) for key in FILING_PARTS}


def eservices(session: Session, period: Period) -> Figure:
    """How many e-services (articles with a service card) the portal offers at period end."""
    now = cards_at(session, period.bounds()[1])
    before = cards_at(session, period.previous().bounds()[1])
    parts = count_parts(_card_counts(now), _card_counts(before), FILING_PARTS, "eservices")
    return Figure(
        "strategy.eservices",
        "Liczba e-usług",
        "liczba",
        float(len(now)),
        float(len(before)),
        description=(
            "Aktywne artykuły bazy wiedzy z kartą usługi (katalog e-usług na portalu) na koniec "
            "okresu, w wersji obowiązującej wtedy; obok: ile z nich można złożyć przez ePUAP, "
            "ile ma usługę online i ile formularz do pobrania. Artykuł wyłączony liczy się "
            "jako nieistniejący także w poprzednich okresach."
        ),
        drill="eservices",
        parts=parts,
        higher_is_better=True,
    )


def _client_counts(session: Session, period: Period) -> dict[str, int]:
    start, end = period.bounds()
    registered = (Resident.merged_into.is_(None), Resident.created_at < end)
    with_number = exists().where(
        ResidentNumber.resident_id == Resident.id, ResidentNumber.created_at < end
    )
    with_email = exists().where(
        ResidentEmail.resident_id == Resident.id, ResidentEmail.created_at < end
    )
    still = (NewsSubscriber.unsubscribed_at.is_(None)) | (NewsSubscriber.unsubscribed_at >= end)
    warned = (WarningSubscription.unsubscribed_at.is_(None)) | (
        WarningSubscription.unsubscribed_at >= end
    )
    return {
        "wszyscy": count(session, *registered, of=Resident.id),
        "nowi": count(session, *registered, Resident.created_at >= start, of=Resident.id),
        "telefon": count(session, *registered, with_number, of=Resident.id),
        "email": count(session, *registered, with_email, of=Resident.id),
        "newsletter": count(
            session, NewsSubscriber.confirmed_at < end, still, of=NewsSubscriber.id
        ),
        "ostrzezenia": count(
            session,
            WarningSubscription.state != "pending",
            WarningSubscription.consent_at < end,
            warned,
            of=WarningSubscription.id,
        ),
    }


CLIENT_PARTS = {
    "nowi": ("Nowi w okresie", "residents"),
    "telefon": ("Z numerem telefonu", "residents"),
    "email": ("Z adresem e-mail", "residents"),
    "newsletter": ("Potwierdzeni subskrybenci newslettera", ""),
    "ostrzezenia": ("Aktywne subskrypcje ostrzeżeń", ""),
}


def clients(session: Session, period: Period) -> Figure:
    """Registered clients: residents in the register (not merged) at the period's end."""
    now, before = _client_counts(session, period), _client_counts(session, period.previous())
    parts = fixed_parts(now, before, CLIENT_PARTS)
    return Figure(
        "strategy.clients",
        "Zarejestrowani klienci",
        "liczba",
        float(now["wszyscy"]),
        float(before["wszyscy"]),
        description=(
            "Mieszkańcy w rejestrze (bez rekordów scalonych z innymi) na koniec okresu; obok: "
            "nowi w okresie, z numerem telefonu, z adresem e-mail, potwierdzeni subskrybenci "
            "newslettera i aktywne subskrypcje ostrzeżeń na koniec okresu."
        ),
        drill="residents",
        parts=parts,
        higher_is_better=True,
    )
