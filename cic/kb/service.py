"""The knowledge-base service: import at start-up, versions on edit, search, uses per call."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cic import assets
from cic.db import Store, utcnow
from cic.kb.departments import department_name
from cic.kb.errors import ArticleNotFound, InvalidArticle, KbError
from cic.kb.importer import ImportReport, add_version, current, import_articles, read_dir, validate
from cic.kb.models import KbArticle, KbArticleUse, KbArticleVersion
from cic.kb.render import to_html
from cic.kb.schemas import UseOut, VersionOut
from cic.kb.search import Document, SearchIndex
from cic.kb.text import warm_up

log = logging.getLogger(__name__)
DEFAULT_DIR = assets.folder("kb")
EDITABLE = ("title", "department", "topics", "keywords", "needs_local_check", "local_check",
            "card")  # fmt: skip


class VersionConflict(KbError):
    """The article changed since the editor opened it (``base_version`` is not current)."""

    status = 409
    error_id = "kb_version_conflict"
    default_message = "Artykuł zmienił się w międzyczasie. Odśwież go i wprowadź zmiany ponownie."


def _row(session: Session, slug: str, *, active_only: bool = True) -> KbArticle:
    query = select(KbArticle).where(KbArticle.slug == slug)
    if active_only:
        query = query.where(KbArticle.active.is_(True))
    row = session.execute(query).scalar_one_or_none()
    if row is None:
        raise ArticleNotFound(slug)
    return row


def _article(row: KbArticle, version: KbArticleVersion) -> dict[str, Any]:
    front = version.front_matter
    return {
        "slug": row.slug,
        "title": row.title,
        "department": row.department,
        "department_name": department_name(row.department),
        "topics": list(front.get("topics", [])),
        "keywords": list(front.get("keywords", [])),
        "updated": str(front.get("updated", "")),
        "needs_local_check": bool(front.get("needs_local_check", False)),
        "local_check": str(front.get("local_check", "")),
        "version": row.current_version,
        "usage_count": row.usage_count,
        "active": row.active,
        "body": version.body,
        "source": version.source,
        "author": version.author,
        "changed_at": version.created_at.isoformat(),
    }


class KbService:
    """Articles in the store, an in-memory ``SearchIndex`` of the current versions."""

    def __init__(
        self,
        store: Store,
        directory: Path | None = DEFAULT_DIR,
        synonyms: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        """``directory`` holds the article files imported by ``load`` (None: no import);
        ``synonyms`` expand queries (``cic.kb.synonyms``; read by the caller, not here)."""
        self.store = store
        self.directory = directory
        self.synonyms = dict(synonyms or {})
        self.index = SearchIndex()
        self.ready = False  # True once the first index of the stored articles is built
        self._lock = asyncio.Lock()

    async def load(self) -> ImportReport:
        """Import the article files (idempotent) and build the search index."""
        report = ImportReport()
        if self.directory is not None and self.directory.is_dir():
            report = await self.import_dir(self.directory)
        else:
            if self.directory is not None:
                log.warning("kb: no article folder at %s; nothing imported", self.directory)
            await self.reload()
        log.info(
            "kb: %d articles indexed (%d new, %d updated, %d conflicts, %d bad files)",
            len(self.index), len(report.created), len(report.updated), len(report.conflicts),
            len(report.errors),
        )  # fmt: skip
        for error in report.errors:
            log.warning("kb: article file skipped: %s", error)
        return report

    async def import_dir(self, directory: Path, *, force: bool = False) -> ImportReport:
        """Import every article file under ``directory`` and rebuild the index."""
        files, errors = await asyncio.to_thread(read_dir, directory)
        try:
            report = await self.store.run(lambda s: import_articles(s, files, force=force))
        except IntegrityError:  # another process imported the same files at the same moment
            report = await self.store.run(lambda s: import_articles(s, files, force=force))
        report.errors.extend(errors)
        await self.reload()
        return report

    async def reload(self) -> None:
        """Rebuild the search index from the current versions of the active articles."""

        def fetch(session: Session) -> list[Document]:
            rows = session.execute(
                select(KbArticle, KbArticleVersion)
                .join(KbArticleVersion, KbArticleVersion.article_id == KbArticle.id)
                .where(
                    KbArticle.active.is_(True),
                    KbArticleVersion.version == KbArticle.current_version,
                )
                .order_by(KbArticle.slug)
            ).all()
            return [_document(a, v) for a, v in rows]

        async with self._lock:
            documents = await self.store.run(fetch)
            await asyncio.to_thread(warm_up)
            self.index = await asyncio.to_thread(SearchIndex, documents, self.synonyms)
            self.ready = True

    def search(self, query: str, limit: int = 10) -> list[dict[str, Any]]:
        """Ranked articles for a Polish query, with highlighted snippets."""
        return self.index.search(query, limit)

    def suggest(
        self, topics: Sequence[str] = (), department: str | None = None, limit: int = 5
    ) -> list[dict[str, Any]]:
        """Articles for the console by the call's topic slugs and department."""
        return self.index.suggest(topics, department, limit)

    async def get(self, slug: str) -> dict[str, Any]:
        """The current version of an article, with its Markdown rendered to safe HTML."""

        def read(session: Session) -> dict[str, Any]:
            row = _row(session, slug)
            return _article(row, current(session, row))

        article = await self.store.run(read)
        article["html"] = to_html(article["body"])
        return article

    async def update(self, slug: str, changes: dict[str, Any], author: str) -> dict[str, Any]:
        """A console edit: a new version (source ``console``) when the content changed.

        ``changes`` has ``body`` and optionally the ``EDITABLE`` front-matter fields,
        ``base_version`` (the version the editor started from; another edit since then is a
        ``VersionConflict``) and ``active`` (false hides the article from search; an inactive
        article can be edited and switched on again).
        """
        body = changes.get("body")
        if not isinstance(body, str):
            raise InvalidArticle("Podaj treść artykułu („body”).")
        base, active = changes.get("base_version"), changes.get("active")
        if active is not None and not isinstance(active, bool):
            raise InvalidArticle("„active” to true albo false.")

        def write(session: Session) -> dict[str, Any]:
            row = _row(session, slug, active_only=False)
            if base is not None and base != row.current_version:
                raise VersionConflict()
            now = current(session, row)
            front = dict(now.front_matter)
            front.update({k: changes[k] for k in EDITABLE if k in changes})
            front["id"] = slug
            front["updated"] = utcnow().date().isoformat()
            article = validate(front, body)
            if article.body != now.body or _without_date(front) != _without_date(now.front_matter):
                now = add_version(session, row, article, "console", author)
            if active is not None:
                row.active = active
            return _article(row, now)

        try:
            saved = await self.store.run(write)
        except IntegrityError as exc:  # another edit took the same version number
            raise VersionConflict() from exc
        await self.reload()
        saved["html"] = to_html(saved["body"])
        return saved

    async def versions(self, slug: str) -> list[VersionOut]:
        """Every version of an article, newest first."""

        def read(session: Session) -> list[VersionOut]:
            row = _row(session, slug, active_only=False)
            found = session.execute(
                select(KbArticleVersion)
                .where(KbArticleVersion.article_id == row.id)
                .order_by(KbArticleVersion.version.desc())
            ).scalars()
            return [
                {
                    "version": v.version,
                    "title": v.front_matter.get("title", ""),
                    "source": v.source,
                    "author": v.author,
                    "created_at": v.created_at.isoformat(),
                    "current": v.version == row.current_version,
                    "front_matter": v.front_matter,
                    "body": v.body,
                }
                for v in found
            ]

        return await self.store.run(read)

    async def use(self, slug: str, call_id: str | None, username: str) -> UseOut:
        """Count a use of the article; the same user and call count once."""

        def write(session: Session) -> UseOut:
            row = _row(session, slug)
            counted = True
            if call_id:
                seen = session.execute(
                    select(func.count())
                    .select_from(KbArticleUse)
                    .where(
                        KbArticleUse.article_id == row.id,
                        KbArticleUse.call_id == call_id,
                        KbArticleUse.username == username,
                    )
                ).scalar_one()
                counted = seen == 0
            if counted:
                session.add(
                    KbArticleUse(article_id=row.id, call_id=call_id, username=username, at=utcnow())
                )
                row.usage_count += 1
            return {"slug": slug, "call_id": call_id, "counted": counted,
                    "usage_count": row.usage_count}  # fmt: skip

        result = await self.store.run(write)
        self.index.note_usage(slug, int(result["usage_count"]))
        return result


def _without_date(front: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in front.items() if k != "updated"}


def _document(row: KbArticle, version: KbArticleVersion) -> Document:
    front = version.front_matter
    return Document(
        slug=row.slug,
        title=row.title,
        department=row.department,
        topics=tuple(front.get("topics", [])),
        keywords=tuple(front.get("keywords", [])),
        body=version.body,
        meta={
            "department_name": department_name(row.department),
            "needs_local_check": bool(front.get("needs_local_check", False)),
            "usage": row.usage_count,
        },
    )
