"""Knowledge-base search quality: top-1 and top-3 hit rates over a file of agent queries.

    PYTHONPATH=. python bench/kb_quality.py [--queries tests/fixtures/quality/kb_queries.yaml]

The queries file is a YAML list of ``{q: "query text", expected: [dir/slug, ...]}``, where
``dir/slug`` is an article's folder under kb/ and its slug; a query hits when any expected
article is among the first results. The index is built from kb/ twice, without and with the
synonyms of kb/synonimy.yaml, and both are printed side by side with the misses.
The default file is the independent evaluation set; the knowledge base's own development set
is tests/fixtures/kb_dev_queries.yaml (``--queries`` with that path).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from cic.kb.importer import read_dir
from cic.kb.search import Document, SearchIndex
from cic.kb.synonyms import SynonymMap, read_synonyms

ROOT = Path(__file__).resolve().parents[1]
KB = ROOT / "kb"
EVAL_QUERIES = ROOT / "tests" / "fixtures" / "quality" / "kb_queries.yaml"
DEV_QUERIES = ROOT / "tests" / "fixtures" / "kb_dev_queries.yaml"


@dataclass(frozen=True)
class Query:
    """One query and the slugs of the articles that answer it."""

    text: str
    expected: tuple[str, ...]


@dataclass
class Figures:
    """Hit rates of one index over one query set, and the queries it missed in the top 3."""

    queries: int
    top1: float
    top3: float
    misses: list[tuple[str, tuple[str, ...], list[str]]] = field(default_factory=list)


def read_queries(path: Path) -> list[Query]:
    """The queries of a YAML file (the module docstring's format); expected as bare slugs."""
    data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, list):
        raise ValueError(f"{path}: expected a YAML list of {{q, expected}}")
    out = []
    for number, item in enumerate(data, start=1):
        if not isinstance(item, dict) or not isinstance(item.get("q"), str):
            raise ValueError(f"{path}: query #{number} needs a text „q”")
        expected = item.get("expected")
        if isinstance(expected, str):
            expected = [expected]
        if not isinstance(expected, list) or not expected:
            raise ValueError(f"{path}: query #{number} needs a list „expected”")
        out.append(Query(item["q"], tuple(str(e).rsplit("/", 1)[-1] for e in expected)))
    return out


def build_index(kb: Path = KB, synonyms: SynonymMap | None = None) -> SearchIndex:
    """The search index over the article files of ``kb`` (as the service builds it)."""
    found, errors = read_dir(kb)
    if errors:
        raise ValueError(f"bad articles: {errors}")
    return SearchIndex(
        (
            Document(
                a.slug,
                str(a.front_matter["title"]),
                str(a.front_matter["department"]),
                tuple(a.front_matter["topics"]),
                tuple(a.front_matter["keywords"]),
                a.body,
            )
            for a, _ in found
        ),
        synonyms,
    )


def score(index: SearchIndex, queries: list[Query]) -> Figures:
    """Top-1 and top-3 hit rates of ``index`` over ``queries``, with the top-3 misses."""
    top1 = top3 = 0
    misses = []
    for query in queries:
        found = [hit["slug"] for hit in index.search(query.text, 3)]
        top1 += bool(found[:1]) and found[0] in query.expected
        if any(slug in query.expected for slug in found):
            top3 += 1
        else:
            misses.append((query.text, query.expected, found))
    count = max(1, len(queries))
    return Figures(len(queries), top1 / count, top3 / count, misses)


def measure(queries_path: Path = EVAL_QUERIES, kb: Path = KB, synonyms: bool = True) -> Figures:
    """The hit rates over ``queries_path`` of the index built from ``kb`` (with its synonyms
    file unless ``synonyms`` is false)."""
    mapping = read_synonyms(kb / "synonimy.yaml") if synonyms else None
    return score(build_index(kb, mapping), read_queries(queries_path))


def main() -> None:
    """Print the hit rates without and with synonyms, and the misses of each."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--queries", type=Path, default=EVAL_QUERIES)
    parser.add_argument("--kb", type=Path, default=KB)
    args = parser.parse_args()
    queries = read_queries(args.queries)
    plain = score(build_index(args.kb), queries)
    expanded = score(build_index(args.kb, read_synonyms(args.kb / "synonimy.yaml")), queries)
    print(f"{args.queries}: {len(queries)} queries")
    print(f"{'':16}{'top-1':>8}{'top-3':>8}")
    for name, figures in (("bez synonimów", plain), ("z synonimami", expanded)):
        print(f"{name:16}{figures.top1:8.3f}{figures.top3:8.3f}")
    for name, figures in (("bez synonimów", plain), ("z synonimami", expanded)):
        print(f"\nmisses ({name}): {len(figures.misses)}")
        for text, expected, found in figures.misses:
            print(f"  {text!r}: expected {', '.join(expected)}; got {', '.join(found) or '-'}")


if __name__ == "__main__":
    main()
