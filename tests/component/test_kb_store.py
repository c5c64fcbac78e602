"""The knowledge base in the store: idempotent import, versions, the file/console rule, uses."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from cic.db import Store, migrate
from cic.kb.errors import ArticleNotFound, InvalidArticle
from cic.kb.models import KbArticleVersion
from cic.kb.service import KbService, VersionConflict

KB = Path(__file__).resolve().parents[2] / "kb"
ARTICLE = """---
id: {slug}
title: {title}
department: FN
topics: [podatki]
keywords: [podatek od psa, opłata od posiadania psów]
updated: 2026-11-28
needs_local_check: true
local_check: Czy rada gminy wprowadziła opłatę od posiadania psów.
---
## Czego dotyczy

{body}

## Gdzie załatwić

**FN — Referat Finansów i Podatków.**
"""


def write(directory: Path, slug: str, title: str, body: str) -> Path:
    path = directory / "podatki" / f"{slug}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(ARTICLE.format(slug=slug, title=title, body=body), encoding="utf-8")
    return path


@pytest.fixture
def articles(tmp_path: Path) -> Path:
    directory = tmp_path / "kb"
    write(directory, "oplata-od-psa", "Opłata od posiadania psów", "Opłatę ustala rada gminy.")
    write(directory, "podatek-od-psa", "Podatek od psa?", "Podatku od psa nie ma od 2008 r.")
    return directory


@pytest.fixture
async def kb(db_url: str, articles: Path) -> AsyncIterator[KbService]:
    """SQLite in tmp_path, and PostgreSQL when reachable (``db_url`` of conftest)."""
    migrate(db_url)
    store = Store(db_url)
    yield KbService(store, articles)
    await store.close()


def versions_in_db(kb: KbService) -> int:
    return kb.store.run_sync(
        lambda s: s.execute(select(func.count()).select_from(KbArticleVersion)).scalar_one()
    )


async def test_import_is_idempotent(kb: KbService) -> None:
    first = await kb.load()
    assert sorted(first.created) == ["oplata-od-psa", "podatek-od-psa"]
    second = await kb.load()
    assert second.created == second.updated == second.conflicts == []
    assert sorted(second.unchanged) == ["oplata-od-psa", "podatek-od-psa"]
    assert versions_in_db(kb) == 2
    assert [h["slug"] for h in kb.search("oplata od psow", 1)] == ["oplata-od-psa"]


async def test_changed_file_adds_a_version_unchanged_content_does_not(
    kb: KbService, articles: Path
) -> None:
    await kb.load()
    path = write(articles, "oplata-od-psa", "Opłata od posiadania psów", "Nowa treść o psach.")
    report = await kb.load()
    assert report.updated == ["oplata-od-psa"]
    assert (await kb.get("oplata-od-psa"))["version"] == 2
    path.write_text(path.read_text(encoding="utf-8") + "\n\n", encoding="utf-8")
    report = await kb.load()
    assert report.updated == [] and "oplata-od-psa" in report.unchanged
    assert versions_in_db(kb) == 3


async def test_console_edit_keeps_every_version_and_wins_over_the_file(
    kb: KbService, articles: Path
) -> None:
    await kb.load()
    edited = await kb.update(
        "oplata-od-psa", {"body": "Poprawione w konsoli.", "base_version": 1}, "kierownik"
    )
    assert edited["version"] == 2 and edited["source"] == "console"
    assert edited["author"] == "kierownik" and "Poprawione w konsoli." in edited["html"]
    same = await kb.update("oplata-od-psa", {"body": "Poprawione w konsoli."}, "kierownik")
    assert same["version"] == 2
    write(articles, "oplata-od-psa", "Opłata od posiadania psów", "Zmiana w pliku.")
    report = await kb.load()
    assert report.conflicts == ["oplata-od-psa"]
    article = await kb.get("oplata-od-psa")
    assert article["version"] == 2 and "Poprawione w konsoli." in article["body"]
    again = await kb.load()
    assert again.conflicts == ["oplata-od-psa"]
    forced = await kb.import_dir(articles, force=True)
    assert forced.updated == ["oplata-od-psa"] and forced.unchanged == ["podatek-od-psa"]
    history = await kb.versions("oplata-od-psa")
    assert [(v["version"], v["source"]) for v in history] == [
        (3, "file"),
        (2, "console"),
        (1, "file"),
    ]
    assert history[0]["current"] and "Zmiana w pliku." in history[0]["body"]
    assert [h["slug"] for h in kb.search("zmiana w pliku", 1)] == ["oplata-od-psa"]


async def test_edit_with_a_stale_base_version_is_refused(kb: KbService) -> None:
    await kb.load()
    await kb.update("podatek-od-psa", {"body": "Wersja druga."}, "kierownik")
    with pytest.raises(VersionConflict):
        await kb.update("podatek-od-psa", {"body": "Wersja trzecia.", "base_version": 1}, "ewa")


@pytest.mark.parametrize(
    "changes",
    [{}, {"body": "  "}, {"body": "x", "department": "XX"}, {"body": "x", "title": ""}],
)
async def test_invalid_edits_are_refused(kb: KbService, changes: dict[str, object]) -> None:
    await kb.load()
    with pytest.raises(InvalidArticle):
        await kb.update("podatek-od-psa", changes, "kierownik")
    assert (await kb.get("podatek-od-psa"))["version"] == 1


async def test_usage_is_counted_once_per_call_and_user(kb: KbService) -> None:
    await kb.load()
    first = await kb.use("oplata-od-psa", "1764493200.1", "anna")
    again = await kb.use("oplata-od-psa", "1764493200.1", "anna")
    other_call = await kb.use("oplata-od-psa", "1764493200.2", "anna")
    no_call = await kb.use("oplata-od-psa", None, "anna")
    assert [first["counted"], again["counted"], other_call["counted"], no_call["counted"]] == [
        True,
        False,
        True,
        True,
    ]
    assert (await kb.get("oplata-od-psa"))["usage_count"] == 3
    assert (await kb.get("podatek-od-psa"))["usage_count"] == 0


async def test_unknown_article(kb: KbService) -> None:
    await kb.load()
    with pytest.raises(ArticleNotFound, match="nie-ma"):
        await kb.get("nie-ma")
    with pytest.raises(ArticleNotFound):
        await kb.use("nie-ma", None, "anna")


async def test_the_shipped_articles_import(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'real.db'}"
    migrate(url)
    store = Store(url)
    kb = KbService(store, KB)
    report = await kb.load()
    assert report.errors == [] and len(report.created) >= 86
    assert len(kb.index) == len(report.created)
    assert (await kb.load()).created == []
    article = await kb.get("terminy-platnosci-podatkow")
    assert "<table>" in article["html"] and "<h2>" in article["html"]
    await store.close()


async def test_deactivated_article_leaves_search_and_can_come_back(kb: KbService) -> None:
    await kb.load()
    body = (await kb.get("oplata-od-psa"))["body"]
    off = await kb.update("oplata-od-psa", {"body": body, "active": False}, "admin")
    assert off["active"] is False and off["version"] == 1
    assert "oplata-od-psa" not in [h["slug"] for h in kb.search("opłata od psów")]
    with pytest.raises(ArticleNotFound):
        await kb.get("oplata-od-psa")
    assert (await kb.load()).unchanged == ["oplata-od-psa", "podatek-od-psa"]
    assert "oplata-od-psa" not in [h["slug"] for h in kb.search("opłata od psów")]
    on = await kb.update("oplata-od-psa", {"body": body, "active": True}, "admin")
    assert on["active"] is True
    assert "oplata-od-psa" in [h["slug"] for h in kb.search("opłata od psów")]
