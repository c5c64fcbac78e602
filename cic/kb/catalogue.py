"""The e-services catalogue: the public service cards, read from the articles' current versions.

Every read goes to the store, so an edit in the console shows on the portal at once; the search
is the console's (``KbService.search``) restricted to articles with a card. Nothing a card
shows comes from ``local_check`` or a staff-only section of the body (``cards.public_body``);
the department's contact is the office's (its hours, the office's phone, e-mail and ePUAP box),
never a person.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cic.departments.service import find
from cic.kb.cards import FORM_FILE, FORMS_DIR, Card, card_of, public_body
from cic.kb.departments import department_name
from cic.kb.errors import ArticleNotFound
from cic.kb.importer import current
from cic.kb.models import KbArticle, KbArticleVersion
from cic.kb.service import KbService

MAX_QUERY = 200
CACHE_SECONDS = 60.0
#: Body sections the card says itself (from the office's data), left out of its text.
ON_THE_CARD = frozenset({"gdzie załatwić"})
#: Body headings drop one level under the card's own headings (h2 -> h3).
_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    "table"
)


@dataclass(frozen=True)
class CardEntry:
    """A card in the catalogue's list: its slug, title, department and summary."""

    slug: str
    title: str
    department: str
    department_name: str
    summary: str


@dataclass(frozen=True)
class ServiceCard:
    """One card as its page shows it; ``hours`` is ``None`` when the office's hours apply."""

    entry: CardEntry
    card: Card
    body_html: str
    updated: str
    needs_local_check: bool
    hours: Mapping[str, list[str]] | None


@dataclass(frozen=True)
class SearchHit:
    """A search result: the card, and its title with the matched words in ``<mark>``."""

    entry: CardEntry
    title_html: str


def body_html(markdown: str) -> str:
    """The public part of a body as safe HTML, its headings one level lower (h2 -> h3)."""
    tokens = _md.parse(public_body(markdown, ON_THE_CARD))
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(6, int(token.tag[1]) + 1)}"
    return str(_md.renderer.render(tokens, _md.options, {}))


def _current(session: Session) -> list[tuple[KbArticle, KbArticleVersion]]:
    rows = session.execute(
        select(KbArticle, KbArticleVersion)
        .join(KbArticleVersion, KbArticleVersion.article_id == KbArticle.id)
        .where(KbArticle.active.is_(True), KbArticleVersion.version == KbArticle.current_version)
        .order_by(KbArticle.title)
    ).all()
    return [(a, v) for a, v in rows]


def _hours(session: Session, code: str) -> tuple[str, Mapping[str, list[str]] | None]:
    found = find(session, code)
    if found is None or not found.active:
        return department_name(code), None
    return found.name, found.hours


class ServiceCatalogue:
    """The public cards of the knowledge base ``kb`` (its store, search and article folder)."""

    def __init__(self, kb: KbService) -> None:
        """Cards come from ``kb``'s store; forms from ``<kb.directory>/formularze``."""
        self.kb = kb
        # (the articles' stamp, when read, the cards): the cards are parsed again only when
        # an article changed (a console edit, an import) or after CACHE_SECONDS (department
        # names), so a page view costs one small query instead of reading every article.
        self._cached: tuple[tuple[object, ...], float, list[tuple[CardEntry, Card]]] | None = None

    @property
    def forms_dir(self) -> Path | None:
        """Where the blank forms are (``None``: the knowledge base has no folder)."""
        return None if self.kb.directory is None else self.kb.directory / FORMS_DIR

    async def _cards(self) -> list[tuple[CardEntry, Card]]:
        def read(session: Session) -> list[tuple[CardEntry, Card]]:
            stamp = tuple(session.execute(
                select(func.count(), func.sum(KbArticle.current_version),
                       func.max(KbArticle.updated_at)).where(KbArticle.active.is_(True))
            ).one())  # fmt: skip
            cached = self._cached
            if cached and cached[0] == stamp and time.monotonic() - cached[1] < CACHE_SECONDS:
                return cached[2]
            out = []
            names: dict[str, str] = {}
            for row, version in _current(session):
                card = card_of(version.front_matter)
                if card is None:
                    continue
                if row.department not in names:
                    names[row.department] = _hours(session, row.department)[0]
                entry = CardEntry(row.slug, row.title, row.department, names[row.department],
                                  card.summary)  # fmt: skip
                out.append((entry, card))
            self._cached = (stamp, time.monotonic(), out)
            return out

        return await self.kb.store.run(read)

    async def entries(self) -> list[CardEntry]:
        """Every public card by title."""
        return [entry for entry, _card in await self._cards()]

    async def grouped(self) -> list[tuple[str, list[CardEntry]]]:
        """The cards grouped by department name (groups and cards by name)."""
        groups: dict[str, list[CardEntry]] = {}
        for entry in await self.entries():
            groups.setdefault(entry.department_name, []).append(entry)
        return sorted(groups.items())

    async def card(self, slug: str) -> ServiceCard:
        """The card of ``slug``; ``ArticleNotFound`` when there is no such active article or
        it has no card."""

        def read(session: Session) -> ServiceCard | None:
            row = session.execute(
                select(KbArticle).where(KbArticle.slug == slug, KbArticle.active.is_(True))
            ).scalar_one_or_none()
            if row is None:
                return None
            version = current(session, row)
            front: dict[str, Any] = version.front_matter
            card = card_of(front)
            if card is None:
                return None
            name, hours = _hours(session, row.department)
            entry = CardEntry(row.slug, row.title, row.department, name, card.summary)
            return ServiceCard(entry, card, body_html(version.body), str(front.get("updated", "")),
                               bool(front.get("needs_local_check", False)), hours)  # fmt: skip

        found = await self.kb.store.run(read)
        if found is None:
            raise ArticleNotFound(slug)
        return found

    async def search(self, query: str, limit: int = 20) -> list[SearchHit]:
        """The console's search for ``query``, only articles with a card, best first."""
        query = query.strip()[:MAX_QUERY]
        if not query:
            return []
        cards = {entry.slug: entry for entry in await self.entries()}
        hits = self.kb.search(query, limit=max(len(self.kb.index), 1))
        found = [SearchHit(cards[h["slug"]], str(h["title_html"])) for h in hits
                 if h["slug"] in cards]  # fmt: skip
        return found[:limit]

    async def form_path(self, name: str) -> Path | None:
        """The file of the form ``name`` if a public card offers it and it exists; else None.

        ``name`` must be a bare file name of the allowed shape (no folders, no dots but the
        extension's), so nothing outside the forms folder can be named."""
        folder = self.forms_dir
        if folder is None or len(name) > 120 or not FORM_FILE.match(name):
            return None
        offered = {form.file for _entry, card in await self._cards() for form in card.forms}
        path = folder / name
        if name not in offered or not path.is_file() or path.resolve().parent != folder.resolve():
            return None
        return path
