"""Knowledge-base search latency over many articles: the real ones plus synthetic variants.

    PYTHONPATH=. python bench/kb_search.py [--articles 10000] [--store sqlite] [--store URL]

The database is not on the query path: the search index lives in memory in the controller's
process, built from the store at start-up and after each edit (``KbService.reload``), and a
search only reads it, so query latency is the same on SQLite and PostgreSQL. This prints the index
build time, the query latency p50/p95 for the realistic queries of tests/unit/test_kb_search.py
and the development set tests/fixtures/kb_dev_queries.yaml (inflections, missing diacritics,
typos, colloquial words expanded by the synonyms of kb/synonimy.yaml), and whether the expected
article is still in the top 3 among the variants. Goal: p95 at most 20 ms.

With ``--store`` (``sqlite`` for a temporary file, or a ``postgresql://`` URL whose server
allows ``CREATE DATABASE``; a scratch database is created and dropped), the same articles are
also imported into a real store and the rebuild from it is timed: what start-up and each edit
cost on that database (reading the current versions plus building the index).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import secrets
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

from bench.kb_quality import DEV_QUERIES, read_queries
from cic.db import Store, migrate
from cic.kb.importer import ParsedArticle, import_articles, read_dir
from cic.kb.search import Document, SearchIndex
from cic.kb.service import KbService
from cic.kb.synonyms import read_synonyms
from cic.kb.text import warm_up
from tests.unit.test_kb_search import MORE, REQUIRED

KB = Path(__file__).resolve().parents[1] / "kb"
FILLER = (
    "urząd gmina wniosek termin opłata formularz wydział sprawa mieszkaniec decyzja "
    "zaświadczenie pełnomocnictwo dokument ulica budynek działka rachunek"
).split()
QUERIES = [(q, (slug,)) for q, slug in REQUIRED + MORE] + [
    (query.text, query.expected) for query in read_queries(DEV_QUERIES)
]
SYNONYMS = read_synonyms(KB / "synonimy.yaml")


def articles(count: int, seed: int = 7) -> list[ParsedArticle]:
    """The real articles and ``count`` variants: same topics, shuffled filler, other slugs."""
    rng = random.Random(seed)
    parsed, errors = read_dir(KB)
    if errors:
        raise SystemExit(f"bad articles: {errors}")
    real = [article for article, _hash in parsed]
    out = list(real)
    for i in range(count):
        base = real[i % len(real)]
        words = rng.sample(base.body.split(), min(60, len(base.body.split())))
        filler = " ".join(rng.choice(FILLER) for _ in range(80))
        slug = f"{base.slug}-wariant-{i}"
        front = {**base.front_matter, "id": slug, "keywords": []}
        front["title"] = f"{base.front_matter['title']} (wariant {i})"
        out.append(ParsedArticle(slug, front, f"{filler} {' '.join(words)}"))
    return out


def document(article: ParsedArticle) -> Document:
    """What the index gets for ``article`` (as ``KbService`` makes it, without the metadata)."""
    front = article.front_matter
    return Document(article.slug, str(front["title"]), str(front.get("department", "")),
                    tuple(front.get("topics", [])), tuple(front.get("keywords", [])),
                    article.body)  # fmt: skip


def time_queries(index: SearchIndex | KbService, rounds: int) -> tuple[list[float], int]:
    """Latencies (ms, sorted) of ``rounds`` passes over the queries; top-3 hits of the first."""
    index.search("rozgrzewka", 3)
    times: list[float] = []
    hits = 0
    for round_ in range(rounds):
        for query, expected in QUERIES:
            started = time.perf_counter()
            results = index.search(query, 10)
            times.append((time.perf_counter() - started) * 1000)
            if round_ == 0:
                top = [r["slug"] for r in results[:3]]
                hits += any(s.split("-wariant-")[0] in expected for s in top)
    return sorted(times), hits


def latency(times: list[float]) -> str:
    """p50, p95 and max of sorted latencies."""
    p95 = times[int(0.95 * (len(times) - 1))]
    return f"p50 {statistics.median(times):.1f} ms, p95 {p95:.1f} ms, max {times[-1]:.1f} ms"


@contextmanager
def scratch_database(where: str) -> Iterator[str]:
    """A SQLAlchemy URL of an empty database: a temporary SQLite file, or a new PostgreSQL one."""
    if where == "sqlite":
        with tempfile.TemporaryDirectory() as directory:
            yield f"sqlite:///{directory}/kb.db"
        return
    admin = make_url(where).set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"cic_bench_{secrets.token_hex(4)}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield make_url(admin).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


async def time_store(where: str, parsed: list[ParsedArticle], rounds: int) -> None:
    """Import the articles into a scratch store, time the index rebuild from it and searches."""
    with scratch_database(where) as url:
        migrate(url)
        store = Store(url)
        try:
            started = time.perf_counter()
            await store.run(lambda s: import_articles(s, [(a, a.content_hash) for a in parsed]))
            imported = time.perf_counter() - started
            service = KbService(store, directory=None, synonyms=SYNONYMS)
            reloads = []
            for _ in range(2):
                started = time.perf_counter()
                await service.reload()
                reloads.append(time.perf_counter() - started)
            times, hits = time_queries(service, rounds)
        finally:
            await store.close()
    backend = make_url(url).get_backend_name()
    print(f"{backend}: {len(service.index)} articles imported in {imported:.1f} s; index rebuilt "
          f"from the store (read + build) in {min(reloads):.1f} s (best of 2)")  # fmt: skip
    print(f"{backend}: searches through KbService (no database access): {latency(times)}; "
          f"top 3: {hits}/{len(QUERIES)}")  # fmt: skip


def main() -> None:
    """Build the index and time the queries (and, with --store, the rebuild from a store)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--store", action="append", default=[], help="sqlite, or a postgresql:// URL (repeatable)"
    )
    args = parser.parse_args()
    started = time.perf_counter()
    warm_up()
    loaded = time.perf_counter() - started
    parsed = articles(args.articles)
    started = time.perf_counter()
    index = SearchIndex((document(a) for a in parsed), SYNONYMS)
    built = time.perf_counter() - started
    times, hits = time_queries(index, args.rounds)
    print("the index is in memory; the database is not on the query path (see --store)")
    print(f"articles: {len(index)} ({args.articles} synthetic variants); index built in "
          f"{built:.1f} s (+ {loaded:.1f} s once per process: simplemma's dictionary)")  # fmt: skip
    print(f"queries: {len(QUERIES)} x {args.rounds}; latency {latency(times)} (goal p95 <= 20 ms)")
    print(f"expected article (or its variant) in the top 3: {hits}/{len(QUERIES)}")
    for where in args.store:
        asyncio.run(time_store(where, parsed, args.rounds))


if __name__ == "__main__":
    main()
