"""The hand-written evaluation sets in tests/fixtures/quality/ keep their documented shape.

They measure the topic tagger and knowledge-base search; these checks only guard their format,
label vocabulary, size and coverage, never what the tagger or the search answers.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from cic.topics.taxonomy import load_taxonomy

QUALITY = Path(__file__).resolve().parents[1] / "fixtures" / "quality"
TRANSCRIPTS = QUALITY / "topics_eval.yaml"
QUERIES = QUALITY / "kb_queries.yaml"
KINDS = {"one", "two", "trap", "noisy"}
ID = re.compile(r"^e\d{4}$")
ARTICLE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*/[a-z0-9]+(?:-[a-z0-9]+)*$")
PLACEHOLDER = re.compile(r"\[(?:PESEL|NUMER)\]")
# A colon is punctuation too, so "agent: ..." speaker labels are refused by the same check.
PUNCTUATION = re.compile(r"[.,;:!?\"()]")
PERSONAL_NUMBER = re.compile(r"\d{9,}")


def _load(path: Path) -> list[dict[str, Any]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, list)
    return data


@pytest.fixture(scope="module")
def transcripts() -> list[dict[str, Any]]:
    return _load(TRANSCRIPTS)


@pytest.fixture(scope="module")
def queries() -> list[dict[str, Any]]:
    return _load(QUERIES)


def test_transcript_entries_have_the_documented_fields(transcripts: list[dict[str, Any]]) -> None:
    for entry in transcripts:
        assert set(entry) == {"id", "topics", "kind", "text"}, entry.get("id")
        assert ID.match(entry["id"]), entry["id"]
        assert entry["kind"] in KINDS, entry["id"]
        topics = entry["topics"]
        assert isinstance(topics, list) and 1 <= len(topics) <= 2, entry["id"]
        assert len(set(topics)) == len(topics), entry["id"]
        if entry["kind"] == "two":
            assert len(topics) == 2, entry["id"]
        if entry["kind"] in {"one", "trap"}:
            assert len(topics) == 1, entry["id"]


def test_transcript_ids_and_texts_are_unique(transcripts: list[dict[str, Any]]) -> None:
    ids = [entry["id"] for entry in transcripts]
    assert [i for i, n in Counter(ids).items() if n > 1] == []
    texts = [entry["text"] for entry in transcripts]
    assert len(set(texts)) == len(texts)


def test_transcripts_look_like_recognised_speech(transcripts: list[dict[str, Any]]) -> None:
    for entry in transcripts:
        text = entry["text"]
        assert isinstance(text, str) and text.strip(), entry["id"]
        lines = text.splitlines()
        assert 2 <= len(lines) <= 12, entry["id"]
        bare = PLACEHOLDER.sub("", text)
        assert bare == bare.lower(), entry["id"]
        assert not PUNCTUATION.search(bare), entry["id"]


def test_every_label_is_a_taxonomy_topic(transcripts: list[dict[str, Any]]) -> None:
    known = {topic.id for topic in load_taxonomy().topics}
    unknown = sorted({t for entry in transcripts for t in entry["topics"]} - known)
    assert unknown == []


def test_size_and_coverage_of_the_transcripts(transcripts: list[dict[str, Any]]) -> None:
    assert len(transcripts) >= 400
    assert {entry["kind"] for entry in transcripts} == KINDS
    counts = Counter(t for entry in transcripts for t in entry["topics"])
    thin = {topic.id: counts[topic.id] for topic in load_taxonomy().topics if counts[topic.id] < 7}
    assert thin == {}


def test_query_entries_have_the_documented_fields(queries: list[dict[str, Any]]) -> None:
    assert len(queries) >= 180
    seen: set[str] = set()
    for entry in queries:
        assert set(entry) == {"q", "expected"}, entry
        query = entry["q"]
        assert isinstance(query, str) and query.strip() == query and query, entry
        assert query not in seen, query
        seen.add(query)
        expected = entry["expected"]
        assert isinstance(expected, list) and expected, query
        assert len(set(expected)) == len(expected), query
        assert all(isinstance(e, str) and ARTICLE.match(e) for e in expected), query


def test_every_expected_article_exists(queries: list[dict[str, Any]]) -> None:
    articles = Path(__file__).resolve().parents[2] / "kb"
    missing = {e for entry in queries for e in entry["expected"]} - {
        f"{path.parent.name}/{path.stem}" for path in articles.glob("*/*.md")
    }
    assert not missing


@pytest.mark.parametrize("path", [TRANSCRIPTS, QUERIES], ids=lambda p: p.name)
def test_no_personal_numbers(path: Path) -> None:
    assert PERSONAL_NUMBER.findall(path.read_text(encoding="utf-8")) == []
