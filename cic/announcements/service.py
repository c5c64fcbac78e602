"""Announcements: the categories, the editors' work (drafts, publishing now or later,
withdrawing) and what residents see (lists, one announcement, feeds, the latest few).

Nothing here knows HTTP. Times are UTC; the clock is injected, so a test moves it instead of
waiting. An announcement is public while :func:`cic.announcements.rules.is_public` says so:
a scheduled one from its ``publish_at`` on, whether or not the background loop has marked it
published yet.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select, update
from sqlalchemy.orm import Session

from cic.announcements.errors import AnnouncementNotFound, InvalidAnnouncement
from cic.announcements.models import STATES, Announcement, NewsCategory, NewsDelivery
from cic.announcements.rules import LIVE_STATES, dump_list, is_public, load_list, slugify
from cic.db import Store, utcnow
from cic.kb.render import to_html

TITLE_MAX, SUMMARY_MAX, BODY_MAX = 200, 600, 50_000
LATER = "Termin publikacji musi być późniejszy niż teraz."
_HEADING = re.compile(r"<(/?)h([1-6])>")


@dataclass(frozen=True)
class Category:
    """A category as pages show it."""

    id: int
    slug: str
    name: str
    position: int = 0
    active: bool = True


@dataclass(frozen=True)
class Draft:
    """What an editor typed: the category by slug, sołectwa by name (none: the whole gmina),
    optional publication and expiry times (UTC)."""

    title: str
    summary: str
    body: str
    category: str
    solectwa: tuple[str, ...] = ()
    publish_at: datetime | None = None
    expires_at: datetime | None = None


@dataclass(frozen=True)
class PublicAnnouncement:
    """An announcement as residents see it (no author, no state): ``body_html`` is the
    Markdown body rendered without raw HTML."""

    id: int
    title: str
    slug: str
    summary: str
    body_html: str
    category: str
    category_name: str
    solectwa: tuple[str, ...]
    published_at: datetime
    updated_at: datetime
    expires_at: datetime | None = None

    @property
    def path(self) -> str:
        """The announcement's page: ``/e-urzad/ogloszenia/<id>-<slug>``."""
        return f"/e-urzad/ogloszenia/{self.id}-{self.slug}"


@dataclass(frozen=True)
class EditedAnnouncement:
    """An announcement as editors see it."""

    id: int
    title: str
    slug: str
    summary: str
    body: str
    category: str
    category_name: str
    solectwa: tuple[str, ...]
    state: str
    publish_at: datetime | None
    expires_at: datetime | None
    author: str
    updated_at: datetime
    mailed_at: datetime | None
    public: bool

    @property
    def state_label(self) -> str:
        """The state in Polish (``zaplanowane``, ``wycofane``...)."""
        return STATES.get(self.state, self.state)


@dataclass(frozen=True)
class PublicPage:
    """One page of the public list: its items, its number and how many pages there are."""

    items: list[PublicAnnouncement]
    page: int
    pages: int
    total: int
    per_page: int = 10


@dataclass
class AnnouncementService:
    """The rules of announcements over ``store``; ``solectwa`` are the gmina's sołectwa
    (settings); ``published`` is called after something became public now (the newsletter
    loop looks at once)."""

    store: Store
    solectwa: tuple[str, ...] = ()
    now: Callable[[], datetime] = utcnow
    published: Callable[[], None] = field(default=lambda: None)

    # -- categories ---------------------------------------------------------------------

    async def categories(self, *, all_of_them: bool = False) -> list[Category]:
        """The categories in their order (only the active ones unless ``all_of_them``)."""

        def work(session: Session) -> list[Category]:
            query = select(NewsCategory).order_by(NewsCategory.position, NewsCategory.name)
            if not all_of_them:
                query = query.where(NewsCategory.active.is_(True))
            return [_category(row) for row in session.scalars(query)]

        return await self.store.run(work)

    async def save_category(
        self, name: str, *, category_id: int | None = None, active: bool = True
    ) -> int:
        """Add a category (its address made from ``name``) or rename one; returns its id."""
        name = " ".join(name.split())
        if not 0 < len(name) <= 120:
            raise InvalidAnnouncement({"name": "Nazwa kategorii: od 1 do 120 znaków."})

        def work(session: Session) -> int:
            if category_id is not None:
                row = session.get(NewsCategory, category_id)
                if row is None:
                    raise AnnouncementNotFound("Nie ma takiej kategorii.")
                row.name, row.active = name, active
                return row.id
            slug = slugify(name, 64)
            if session.scalar(select(NewsCategory.id).where(NewsCategory.slug == slug)):
                raise InvalidAnnouncement({"name": f"Kategoria „{name}” już jest."})
            last = session.scalar(select(func.max(NewsCategory.position))) or 0
            row = NewsCategory(slug=slug, name=name, position=last + 1, active=active)
            session.add(row)
            session.flush()
            return row.id

        return await self.store.run(work)

    # -- residents ----------------------------------------------------------------------

    async def public_page(
        self, *, category: str = "", solectwo: str = "", page: int = 1, per_page: int = 10
    ) -> PublicPage:
        """Page ``page`` (from 1) of what is public now, newest first, of ``category`` (a slug)
        and for ``solectwo`` (its own and the whole gmina's); empty filters: everything."""
        now = self.now()

        def work(session: Session) -> PublicPage:
            where = [*public_now(now), *self._filters(category, solectwo)]
            total = session.scalar(
                select(func.count()).select_from(Announcement).join(NewsCategory).where(*where)
            ) or 0  # fmt: skip
            pages = max(1, -(-total // per_page))
            number = min(max(1, page), pages)
            rows = session.execute(
                with_category()
                .where(*where)
                .order_by(Announcement.publish_at.desc(), Announcement.id.desc())
                .offset((number - 1) * per_page)
                .limit(per_page)
            ).all()
            return PublicPage([public_view(a, c) for a, c in rows], number, pages, total, per_page)

        return await self.store.run(work)

    async def latest(self, n: int = 3, *, category: str = "") -> list[PublicAnnouncement]:
        """The ``n`` newest public announcements (for the portal's home page and the feeds)."""
        return (await self.public_page(category=category, per_page=max(1, n))).items

    async def public_one(self, announcement_id: int) -> PublicAnnouncement:
        """One announcement that is public now, else ``AnnouncementNotFound``."""
        now = self.now()

        def work(session: Session) -> PublicAnnouncement:
            found = session.execute(
                with_category().where(Announcement.id == announcement_id, *public_now(now))
            ).first()
            if found is None:
                raise AnnouncementNotFound()
            return public_view(found[0], found[1])

        return await self.store.run(work)

    # -- editors ------------------------------------------------------------------------

    async def edited(self) -> list[EditedAnnouncement]:
        """Every announcement, the newest changed first."""
        now = self.now()

        def work(session: Session) -> list[EditedAnnouncement]:
            rows = session.execute(
                with_category().order_by(Announcement.updated_at.desc(), Announcement.id.desc())
            ).all()
            return [_edited(a, c, now) for a, c in rows]

        return await self.store.run(work)

    async def get(self, announcement_id: int) -> EditedAnnouncement:
        """One announcement as editors see it."""
        now = self.now()

        def work(session: Session) -> EditedAnnouncement:
            found = session.execute(
                with_category().where(Announcement.id == announcement_id)
            ).first()
            if found is None:
                raise AnnouncementNotFound()
            return _edited(found[0], found[1], now)

        return await self.store.run(work)

    async def save(self, draft: Draft, author: str, announcement_id: int | None = None) -> int:
        """Create a draft (no id) or change an announcement (its state stays); returns the id.
        ``InvalidAnnouncement`` names each wrong field."""
        self._check(draft)
        now = self.now()

        def work(session: Session) -> int:
            category = session.scalar(
                select(NewsCategory).where(NewsCategory.slug == draft.category)
            )
            if category is None:
                raise InvalidAnnouncement({"category": "Wybierz kategorię z listy."})
            if announcement_id is None:
                row = Announcement(author=author, created_at=now, state="draft")
                session.add(row)
            else:
                found = session.get(Announcement, announcement_id)
                if found is None:
                    raise AnnouncementNotFound()
                row = found
            row.title, row.slug = draft.title, slugify(draft.title)
            row.summary, row.body, row.category_id = draft.summary, draft.body, category.id
            row.solectwa = dump_list(draft.solectwa)
            row.expires_at, row.updated_at = draft.expires_at, now
            if row.state == "scheduled" and draft.publish_at is not None:
                if draft.publish_at <= now:
                    raise InvalidAnnouncement({"publish_at": LATER})
                row.publish_at = draft.publish_at
            elif row.state in ("draft", "withdrawn"):
                row.publish_at = draft.publish_at  # a proposal until it is scheduled
            session.flush()
            return row.id

        return await self.store.run(work)

    async def publish(self, announcement_id: int) -> None:
        """Make an announcement public now (a draft, a scheduled or a withdrawn one)."""
        now = self.now()
        await self._change(announcement_id, lambda row: _set(row, "published", now, now))
        self.published()

    async def schedule(self, announcement_id: int, when: datetime) -> None:
        """Make an announcement public at ``when`` (in the future)."""
        now = self.now()
        if when <= now:
            raise InvalidAnnouncement({"publish_at": LATER})
        await self._change(announcement_id, lambda row: _set(row, "scheduled", when, now))

    async def withdraw(self, announcement_id: int) -> int:
        """Take an announcement off the portal; its e-mails not yet sent are not sent.
        Returns how many e-mails were stopped."""
        now = self.now()
        await self._change(announcement_id, lambda row: _set(row, "withdrawn", None, now))

        def stop(session: Session) -> int:
            result = session.execute(
                update(NewsDelivery)
                .where(NewsDelivery.announcement_id == announcement_id,
                       NewsDelivery.state == "oczekuje")
                .values(state="pominieta", next_attempt_at=None,
                        last_error="ogłoszenie wycofane")
            )  # fmt: skip
            return int(getattr(result, "rowcount", 0) or 0)

        return await self.store.run(stop)

    # -- helpers ------------------------------------------------------------------------

    def _filters(self, category: str, solectwo: str) -> list[ColumnElement[bool]]:
        where: list[ColumnElement[bool]] = [NewsCategory.active.is_(True)]
        if category:
            where.append(NewsCategory.slug == category)
        if solectwo:
            quoted = dump_list([solectwo])[1:-1]  # the name as it sits in the JSON list
            where.append(or_(Announcement.solectwa == "[]",
                             Announcement.solectwa.contains(quoted, autoescape=True)))  # fmt: skip
        return where

    def _check(self, draft: Draft) -> None:
        wrong: dict[str, str] = {}
        if not 0 < len(draft.title) <= TITLE_MAX:
            wrong["title"] = f"Tytuł: od 1 do {TITLE_MAX} znaków."
        if len(draft.summary) > SUMMARY_MAX:
            wrong["summary"] = f"Streszczenie: najwyżej {SUMMARY_MAX} znaków."
        if not 0 < len(draft.body) <= BODY_MAX:
            wrong["body"] = f"Treść: od 1 do {BODY_MAX} znaków."
        if not draft.category:
            wrong["category"] = "Wybierz kategorię z listy."
        unknown = [s for s in draft.solectwa if s not in self.solectwa]
        if unknown:
            wrong["solectwa"] = f"Nieznane sołectwo: {', '.join(unknown)}."
        if draft.expires_at is not None and draft.expires_at <= (draft.publish_at or self.now()):
            wrong["expires_at"] = "Termin wygaśnięcia musi być późniejszy niż publikacja."
        if wrong:
            raise InvalidAnnouncement(wrong)

    async def _change(self, announcement_id: int, change: Callable[[Announcement], None]) -> None:
        def work(session: Session) -> None:
            row = session.get(Announcement, announcement_id)
            if row is None:
                raise AnnouncementNotFound()
            change(row)

        await self.store.run(work)


def _set(row: Announcement, state: str, when: datetime | None, now: datetime) -> None:
    if state == "withdrawn":
        row.state, row.updated_at = state, now
        return
    if row.expires_at is not None and when is not None and row.expires_at <= when:
        raise InvalidAnnouncement(
            {"expires_at": "Termin wygaśnięcia musi być późniejszy niż publikacja."}
        )
    row.state, row.publish_at, row.updated_at = state, when, now


def public_now(now: datetime) -> list[ColumnElement[bool]]:
    return [
        Announcement.state.in_(LIVE_STATES),
        Announcement.publish_at <= now,
        or_(Announcement.expires_at.is_(None), Announcement.expires_at > now),
    ]


def with_category() -> Any:
    return select(Announcement, NewsCategory).join(
        NewsCategory, NewsCategory.id == Announcement.category_id
    )


def _category(row: NewsCategory) -> Category:
    return Category(row.id, row.slug, row.name, row.position, row.active)


def under_title(html: str) -> str:
    """Rendered Markdown with its headings one level down (``#`` becomes ``<h2>``): the page's
    ``<h1>`` is the announcement's title. Raw HTML never reaches here (it is escaped)."""
    return _HEADING.sub(lambda m: f"<{m.group(1)}h{min(6, int(m.group(2)) + 1)}>", html)


def public_view(row: Announcement, category: NewsCategory) -> PublicAnnouncement:
    """An announcement row as residents see it."""
    published = row.publish_at or row.created_at
    return PublicAnnouncement(
        row.id, row.title, row.slug, row.summary, under_title(to_html(row.body)), category.slug,
        category.name, tuple(load_list(row.solectwa)), published, row.updated_at, row.expires_at,
    )  # fmt: skip


def _edited(row: Announcement, category: NewsCategory, now: datetime) -> EditedAnnouncement:
    return EditedAnnouncement(
        row.id, row.title, row.slug, row.summary, row.body, category.slug, category.name,
        tuple(load_list(row.solectwa)), row.state, row.publish_at, row.expires_at, row.author,
        row.updated_at, row.mailed_at, is_public(row.state, row.publish_at, row.expires_at, now),
    )  # fmt: skip


def solectwa_of(values: Sequence[str], known: Sequence[str]) -> tuple[str, ...]:
    """The known sołectwa among ``values`` in the settings' order."""
    chosen = set(values)
    return tuple(s for s in known if s in chosen)
