"""The strategy's measures about the resident portal: announcements published per category
and the portal's daily page views."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cic.announcements.models import Announcement, NewsCategory
from cic.dashboard import filters
from cic.dashboard.period import Period
from cic.dashboard.schemas import Figure, Part, unavailable
from cic.dashboard.sql import count_parts, counts_series, daily, daily_dates, on_days, within
from cic.portal.models import PortalPageView

TOP_PAGES = 10
VISITS_HOW = (
    "Średnia dzienna liczba wyświetleń stron portalu mieszkańca w okresie (suma wyświetleń "
    "podzielona przez liczbę dni okresu); obok najczęściej oglądane strony z liczbą "
    "wyświetleń w okresie. Portal nie zbiera żadnych danych o odwiedzających."
)


def announcements(session: Session, period: Period) -> Figure:
    """Announcements published in the period, per news category."""

    def per_category(p: Period) -> dict[str, int]:
        query = (
            select(NewsCategory.slug, func.count(Announcement.id))
            .join(NewsCategory, NewsCategory.id == Announcement.category_id)
            .where(filters.published(), within(Announcement.publish_at, p))
            .group_by(NewsCategory.slug)
        )
        return {str(slug): int(n) for slug, n in session.execute(query).all()}

    now, before = per_category(period), per_category(period.previous())
    names = dict(
        session.execute(
            select(NewsCategory.slug, NewsCategory.name).order_by(
                NewsCategory.position, NewsCategory.id
            )
        ).all()
    )
    days = daily(session, period, Announcement.publish_at, filters.published())
    return Figure(
        "strategy.announcements",
        "Ogłoszenia według kategorii",
        "liczba",
        float(sum(now.values())),
        float(sum(before.values())),
        description=(
            "Ogłoszenia opublikowane na portalu w okresie (według daty publikacji, także "
            "później wycofane), w podziale na kategorie."
        ),
        drill="announcements",
        parts=count_parts(now, before, names, "announcements", "kategoria:"),
        series=counts_series(period, days),
    )


def portal_visits(session: Session, period: Period, enabled: bool) -> Figure:
    """Average daily page views of the resident portal."""
    key, label = "strategy.portal_visits", "Dzienna liczba odwiedzin portalu"
    if not enabled:
        note = "Portal mieszkańca jest wyłączony w ustawieniach: odwiedzin się nie liczy."
        return unavailable(key, label, "liczba", note, VISITS_HOW)
    previous = period.previous()
    now_days = daily_dates(session, period, PortalPageView.day, weight=PortalPageView.views)
    before_days = daily_dates(session, previous, PortalPageView.day, weight=PortalPageView.views)

    def average(days: dict[Any, int], p: Period) -> float | None:
        return None if not days else round(sum(days.values()) / p.days, 1)

    def top(p: Period) -> dict[str, int]:
        query = (
            select(PortalPageView.path, func.sum(PortalPageView.views))
            .where(on_days(PortalPageView.day, p))
            .group_by(PortalPageView.path)
        )
        return {str(path): int(n) for path, n in session.execute(query).all()}

    now_pages, before_pages = top(period), top(previous)
    best = sorted(now_pages, key=lambda k: (-now_pages[k], k))[:TOP_PAGES]
    parts = tuple(
        Part(
            path,
            path,
            float(now_pages[path]),
            float(before_pages.get(path, 0)),
            count=now_pages[path],
        )
        for path in best
    )
    return Figure(
        key,
        label,
        "liczba",
        average(now_days, period),
        average(before_days, previous),
        description=VISITS_HOW,
        parts=parts,
        series=counts_series(period, now_days),
        higher_is_better=True,
    )
