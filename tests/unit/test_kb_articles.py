"""Every article file in kb/ parses, has the required front matter and no real-looking contacts."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from cic.kb.departments import DEPARTMENTS
from cic.kb.errors import InvalidArticle
from cic.kb.importer import REQUIRED, parse, read_dir
from cic.topics.taxonomy import load_taxonomy

KB = Path(__file__).resolve().parents[2] / "kb"
FILES = sorted(p for p in KB.rglob("*.md") if p.name != "README.md")
PHONE = re.compile(r"(?<![\d.,])(?:\+?48[ -]?)?(?:\d[ -]?){8}\d(?![\d.,])|\(\d{2}\)\s*\d")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def test_at_least_eighty_six_articles_and_all_import() -> None:
    found, errors = read_dir(KB)
    assert errors == []
    assert len(found) == len(FILES) >= 86
    assert len({a.slug for a, _ in found}) == len(found)


def _article_topics() -> dict[str, set[str]]:
    return {a.slug: set(a.front_matter["topics"]) for a, _ in read_dir(KB)[0]}


def test_every_taxonomy_topic_has_an_article() -> None:
    """The console suggests articles by the call's topic: no topic may be left without one."""
    covered = set().union(*_article_topics().values())
    missing = [t.id for t in load_taxonomy().topics if t.id not in covered]
    assert missing == []


def test_every_article_serves_a_taxonomy_topic() -> None:
    ids = {t.id for t in load_taxonomy().topics}
    assert [slug for slug, topics in _article_topics().items() if not topics & ids] == []


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_article_front_matter(path: Path) -> None:
    article = parse(path.read_text(encoding="utf-8"))
    front = article.front_matter
    assert set(REQUIRED) <= set(front)
    assert article.slug == path.stem
    assert front["department"] in DEPARTMENTS
    assert front["topics"] and all(SLUG.match(t) for t in front["topics"])
    assert len(front["keywords"]) >= 3
    dt.date.fromisoformat(front["updated"])
    assert isinstance(front.get("needs_local_check"), bool)
    if front["needs_local_check"]:
        assert len(front["local_check"]) > 20
    assert "## Gdzie załatwić" in article.body
    assert f"**{front['department']}" in article.body or front["department"] == "ZEW"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_no_phone_numbers_or_emails(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert PHONE.findall(text) == []
    assert EMAIL.findall(text) == []


@pytest.mark.parametrize(
    "sample",
    [
        "tel. 81 123 45 67",
        "dzwoń: +48 600 100 200",
        "606100200",
        "(81) 5551234",
        "kontakt: ug@gmina.pl",
    ],
)
def test_the_contact_patterns_catch_real_looking_data(sample: str) -> None:
    assert PHONE.search(sample) or EMAIL.search(sample)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("bez nagłówka", "nagłówkiem YAML"),
        ("---\nid: x\n---\ntreść", "Brak pól"),
        (
            "---\nid: Zly Slug\ntitle: T\ndepartment: FN\ntopics: [a]\nkeywords: [k]\n"
            "updated: 2026-01-01\n---\ntreść",
            "małe litery",
        ),
        (
            "---\nid: a\ntitle: T\ndepartment: XX\ntopics: [a]\nkeywords: [k]\n"
            "updated: 2026-01-01\n---\ntreść",
            "Nieznany kod",
        ),
        (
            "---\nid: a\ntitle: T\ndepartment: FN\ntopics: [a]\nkeywords: [k]\n"
            "updated: 2026-01-01\nneeds_local_check: true\n---\ntreść",
            "local_check",
        ),
    ],
)
def test_invalid_files_are_refused_in_polish(text: str, message: str) -> None:
    with pytest.raises(InvalidArticle, match=message):
        parse(text)
