"""Transcript search latency over 100,000 synthetic Polish call transcripts, SQLite and PostgreSQL.

    PYTHONPATH=. python bench/transcript_search.py [--transcripts 100000] [--rounds 5]
        [--only sqlite|postgresql] [--keep]

Transcripts are generated with a fixed seed: a greeting, the resident's matter in the words
of cic/topics/taxonomy.yaml, the agent's answers in sentences of the kb/ article on that topic,
questions, filler and redaction placeholders, over 27 topics of unequal popularity (about 150
words and 8 timed segments per call, some calls on two matters), spread over 180 days, each
call tagged with its matters' topics (one in 50 corrected by a supervisor). They are
bulk-inserted (calls, call_transcripts, call_topics) into a migrated database, then the search rows
(``transcript_terms``) are written, which fills the FTS5 table on SQLite through its triggers
and the GIN index on PostgreSQL: that is the "index build" time (lemmatisation shown apart).

Then ~50 realistic supervisor queries (inflected, without diacritics, two or three words, a
few prefixes and a few single common words) run ``--rounds`` times through
``TranscriptSearch.search`` (ranking, the join with the review filters, snippets and seek
times of the first page of hits, 20: what ``GET /api/review/search`` does apart from HTTP),
without filters, limited to the last 30 days, and to one topic (the commonest, then one of
middling popularity). Prints p50/p95/max per database and filter, the hits per query and the
slowest queries. Goal: p95 <= 20 ms.

SQLite: a file in a temporary directory. PostgreSQL: ``CIC_BENCH_POSTGRES_URL`` (default
``postgresql://postgres@127.0.0.1:5432/test``); a database ``cic_bench_<random>`` is created
and dropped afterwards (kept with ``--keep``); skipped with a message when unreachable.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import secrets
import statistics
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy import insert, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from cic.calls.models import Call
from cic.db import Store, migrate
from cic.kb.importer import read_dir
from cic.kb.text import plain
from cic.recordings.models import CallTopic, CallTranscript, TranscriptTerms
from cic.review.review import Filters, Review
from cic.review.search import PAGE, TranscriptSearch, index_starts, index_text
from cic.topics.taxonomy import load_taxonomy

KB = Path(__file__).resolve().parents[1] / "kb"
POSTGRES_URL = os.environ.get("CIC_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
BATCH = 2000
AGENT_OPEN = [
    "Urząd Gminy, dzień dobry, w czym mogę pomóc?",
    "Dzień dobry, słucham panią.",
    "Dzień dobry, urząd gminy, nazywam się Anna, słucham.",
    "Słucham, w czym pomóc?",
]
RESIDENT_OPEN = [
    "Dzień dobry, dzwonię w sprawie",
    "Dzień dobry, mam pytanie o",
    "Chciałabym zapytać o",
    "Mam taki problem, chodzi o",
    "Dzwonię, bo nie wiem,",
    "Dzień dobry, sąsiadka mi mówiła, że trzeba coś zrobić z",
]
RESIDENT_MID = [
    "A ile to trwa?",
    "Czy trzeba przyjść osobiście do urzędu?",
    "A do kiedy trzeba to złożyć?",
    "Rozumiem, a czy można to zrobić przez internet?",
    "Aha, dobrze, to zapiszę sobie.",
    "A jakie dokumenty mam przygotować?",
    "Mój numer to [TELEFON], gdyby trzeba było oddzwonić.",
    "PESEL podam, [PESEL], czy to wystarczy?",
]
AGENT_MID = [
    "Już sprawdzam w systemie, proszę chwilę poczekać.",
    "Tak, zgadza się.",
    "Wszystko jest opisane na stronie urzędu w zakładce dla mieszkańców.",
    "Przełączę panią do wydziału, który się tym zajmuje.",
    "Proszę przygotować numer sprawy z pisma, które pani dostała.",
]
CLOSE = ["Dziękuję bardzo, do widzenia.", "Dobrze, to wszystko, dziękuję.", "Do usłyszenia."]
QUERIES = [
    "podatku od nieruchomosci", "podatek od nieruchomości garaż", "rata podatku",
    "nakazu płatniczego", "podatek rolny", "hektar przeliczeniowy", "deklaracja smieciowa",
    "opłaty za śmieci", "stawka za odpady", "harmonogram wywozu", "wywóz smieci",
    "pojemnik na odpady", "zameldowanie na pobyt stały", "wymeldowanie", "meldunku",
    "dowodu osobistego", "zgubiony dowód", "odbiór dowodu", "akt urodzenia", "odpisu aktu",
    "ślub cywilny", "zawarcie małżeństwa", "wycinka drzew", "wycinki drzewa",
    "zezwolenia na wycinkę", "warunki zabudowy", "planu miejscowego", "dziura w drodze", "chodnika",
    "latarnia nie świeci",
    "oświetlenia ulicznego", "awaria wodociągu", "kanalizacji", "pomoc spoleczna", "zasiłek",
    "świadczenia rodzinnego", "dodatek mieszkaniowy", "dodatku energetycznego", "ceidg",
    "działalności gospodarczej", "zezwolenie na alkohol", "informacji publicznej", "skarga",
    "zajęcie pasa drogowego", "bezdomny pies", "przedszkola", "wymiana pieca", "czyste powietrze",
    "cmentarz", "mieszkanie komunalne", "rejestr wyborców", "nieruch*", "wycink* drzew",
    "dow* osobist*", "wniosek", "urząd",
]  # fmt: skip


class Corpus:
    """Sentences per topic (kb articles, taxonomy phrases) and a generator of transcripts."""

    def __init__(self, seed: int) -> None:
        """Read the taxonomy and the articles; topics get unequal popularity from ``seed``."""
        taxonomy = load_taxonomy()
        parsed, errors = read_dir(KB)
        if errors:
            raise SystemExit(f"bad articles: {errors}")
        self.phrases = {t.id: [p.text for p in t.phrases] for t in taxonomy.topics}
        self.sentences: dict[str, list[str]] = {t: [] for t in self.phrases}
        for article, _hash in parsed:
            found = [
                s.strip()
                for s in re.split(r"(?<=[.!?:])\s+|\n", plain(article.body))
                if 4 <= len(s.split()) <= 28
            ]
            for topic in article.front_matter.get("topics", []):
                if topic in self.sentences:
                    self.sentences[topic].extend(found)
        generic = [s for sentences in self.sentences.values() for s in sentences]
        for topic, sentences in self.sentences.items():
            if not sentences:
                self.sentences[topic] = generic
        rng = random.Random(seed)
        self.topics = sorted(self.phrases)
        rng.shuffle(self.topics)
        self.weights = [1 / (rank + 1) ** 0.8 for rank in range(len(self.topics))]

    def _matter(self, rng: random.Random, topic: str, first: bool) -> list[tuple[str, str]]:
        phrase = rng.choice(self.phrases[topic])
        opener = rng.choice(RESIDENT_OPEN) if first else "I jeszcze jedno, chodzi o"
        lines = [("resident", f"{opener} {phrase}. {rng.choice(RESIDENT_MID)}")]
        for _ in range(3):
            answer = " ".join(rng.choice(self.sentences[topic]) for _ in range(rng.randint(1, 3)))
            lines.append(("agent", f"{rng.choice(AGENT_MID)} {answer}"))
            lines.append(("resident", rng.choice(RESIDENT_MID)))
        return lines

    def transcript(self, rng: random.Random) -> tuple[list[tuple[str, str]], list[str]]:
        """One call's lines (speaker, text) and the topics it is about."""
        topics = rng.choices(self.topics, self.weights, k=2)
        lines = [("agent", rng.choice(AGENT_OPEN))]
        lines += self._matter(rng, topics[0], True)
        if rng.random() < 0.25 and topics[1] != topics[0]:
            lines += self._matter(rng, topics[1], False)
        else:
            topics = topics[:1]
        lines.append(("agent", rng.choice(AGENT_MID)))
        lines.append(("resident", rng.choice(CLOSE)))
        return lines, topics


def segments(lines: list[tuple[str, str]], rng: random.Random) -> list[dict[str, Any]]:
    """Timed words per line, as ``save_result`` stores them."""
    out, clock = [], 0.5
    for speaker, line in lines:
        timed = []
        for token in line.split():
            length = 0.15 + 0.05 * len(token)
            timed.append({"text": token, "start": round(clock, 2), "end": round(clock + length, 2),
                          "confidence": round(rng.uniform(0.6, 1.0), 2)})  # fmt: skip
            clock += length + 0.1
        out.append({"speaker": speaker, "start": timed[0]["start"], "end": timed[-1]["end"],
                    "text": line, "words": timed})  # fmt: skip
        clock += 0.6
    return out


def tags(call_id: str, topics: list[str], at: datetime, rng: random.Random,
         corpus: Corpus) -> list[dict[str, Any]]:  # fmt: skip
    """The call's automatic topic tags; one call in 50 corrected by a supervisor to a
    topic of its own (as if the tagger had misheard it)."""
    rows = [{"call_id": call_id, "topic_id": t, "confidence": 0.8, "source": "auto",
             "matched": [], "created_by": "", "created_at": at} for t in topics]  # fmt: skip
    if rng.random() < 0.02:
        rows.append({**rows[0], "topic_id": rng.choice(corpus.topics), "source": "supervisor",
                     "confidence": 1.0, "created_by": "kierownik"})  # fmt: skip
    return rows


def batches(corpus: Corpus, count: int, seed: int) -> Iterator[tuple[list[dict[str, Any]], ...]]:
    """(calls, transcripts, topic tags) rows, ``BATCH`` at a time, the same for every
    database."""
    rng = random.Random(seed)
    span = 180 * 86_400 / count  # calls in time order, as they are transcribed
    for first in range(0, count, BATCH):
        calls, transcripts, topics = [], [], []
        for i in range(first, min(count, first + BATCH)):
            call_id = f"17{i:08d}.{i % 97}"
            at = NOW - timedelta(days=180) + timedelta(seconds=(i + rng.random()) * span)
            lines, about = corpus.transcript(rng)
            topics += tags(call_id, about, at, rng, corpus)
            segs = segments(lines, rng)
            calls.append({"call_id": call_id, "entered_at": at, "ended_at": at,
                          "agent": f"PJSIP/agent-{rng.choice(['anna', 'bogdan', 'celina'])}",
                          "outcome": "answered", "talk_seconds": segs[-1]["end"]})  # fmt: skip
            transcripts.append({"call_id": call_id, "segments": segs, "engine": "bench",
                                "text": "\n".join(line for _, line in lines), "findings": {},
                                "duration_seconds": segs[-1]["end"], "created_at": at,
                                "updated_at": at})  # fmt: skip
        yield calls, transcripts, topics


def load(store: Store, corpus: Corpus, count: int, seed: int) -> dict[str, float]:
    """Bulk-insert the calls and transcripts, then the search rows; returns timings (s)."""
    times = {"load": 0.0, "lemmas": 0.0, "index": 0.0}
    words = 0
    for calls, transcripts, topics in batches(corpus, count, seed):
        t0 = time.perf_counter()

        def write(session: Any, c: Any = calls, t: Any = transcripts, g: Any = topics) -> None:
            session.execute(insert(Call), c)
            session.execute(insert(CallTranscript), t)
            session.execute(insert(CallTopic), g)

        store.run_sync(write)
        t1 = time.perf_counter()
        terms = [
            {"call_id": t["call_id"], "lemmas": index_text(t["text"]),
             "starts": index_starts(t["segments"])}
            for t in transcripts
        ]  # fmt: skip
        words += sum(len(t["text"].split()) for t in transcripts)
        t2 = time.perf_counter()
        store.run_sync(lambda s, rows=terms: s.execute(insert(TranscriptTerms), rows))
        t3 = time.perf_counter()
        times["load"] += t1 - t0
        times["lemmas"] += t2 - t1
        times["index"] += t3 - t2
    times["words"] = float(words)
    return times


def percentile(values: list[float], share: float) -> float:
    """The ``share`` percentile (nearest rank) of ``values``."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * (len(ordered) - 1) + 0.5))]


def measure(store: Store, rounds: int, corpus: Corpus) -> None:
    """Time every query ``rounds`` times: with no filter, with the last 30 days, and with
    one topic (the commonest, then one of middling popularity)."""
    finder = TranscriptSearch(Review(load_taxonomy()))
    recent = Filters(since=(NOW - timedelta(days=30)).date(), until=date(2026, 12, 31))
    common, middling = corpus.topics[0], corpus.topics[len(corpus.topics) // 2]
    for label, filters in (("no filter", Filters()), ("last 30 days", recent),
                           (f"topic {common}", Filters(topic=common)),
                           (f"topic {middling}", Filters(topic=middling))):  # fmt: skip
        hits: dict[str, int] = {}
        per_query: dict[str, list[float]] = {q: [] for q in QUERIES}
        for query in QUERIES:  # warm-up: caches, first plans
            found = store.run_sync(lambda s, q=query, f=filters: finder.search(s, q, f))
            hits[query] = len(found)
        for _ in range(rounds):
            for query in QUERIES:
                t0 = time.perf_counter()
                store.run_sync(lambda s, q=query, f=filters: finder.search(s, q, f))
                per_query[query].append((time.perf_counter() - t0) * 1000)
        times = [t for values in per_query.values() for t in values]
        counts = sorted(hits.values())
        p50 = statistics.median(times)
        print(f"  {label}: {len(QUERIES)} queries x {rounds}: p50 {p50:.1f} ms, "
              f"p95 {percentile(times, 0.95):.1f} ms, max {max(times):.1f} ms (goal p95 <= 20 ms); "
              f"hits per query (a page, max {PAGE}): median {statistics.median(counts):.0f}, "
              f"none for {counts.count(0)}")  # fmt: skip
        slow = sorted(per_query, key=lambda q: -statistics.median(per_query[q]))[:5]
        print("    slowest (median ms, matching calls): " + "; ".join(
            f"{q!r} {statistics.median(per_query[q]):.1f} ms, {matching(store, q)}" for q in slow
        ))  # fmt: skip


def matching(store: Store, query: str) -> int:
    """How many transcripts match ``query`` in all (not only the 50 returned)."""
    from cic.review.search import fts5_query, parse_query, tsquery

    terms = parse_query(query)
    if store.engine.dialect.name == "postgresql":
        stmt = text(
            "SELECT count(*) FROM transcript_terms WHERE search_vector @@ to_tsquery('simple', :q)"
        ).bindparams(q=tsquery(terms))
    else:
        stmt = text(
            "SELECT count(*) FROM transcript_terms_fts WHERE transcript_terms_fts MATCH :q"
        ).bindparams(q=fts5_query(terms))
    return int(store.run_sync(lambda s: s.scalar(stmt)) or 0)


def run(name: str, url: str, args: argparse.Namespace, corpus: Corpus) -> None:
    """Migrate, load, (PostgreSQL: ANALYZE as autovacuum would, then a checkpoint),
    measure."""
    migrate(url)
    store = Store(url)
    try:
        times = load(store, corpus, args.transcripts, args.seed)
        if name == "postgresql":
            with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
                try:  # write the loaded pages out now, not while the searches are timed
                    conn.execute(text("CHECKPOINT"))
                except DBAPIError as exc:
                    print(f"  (no CHECKPOINT before timing: {str(exc.orig).strip()})")
        average = times["words"] / args.transcripts
        print(f"{name}: {args.transcripts} transcripts ({average:.0f} words each on average): "
              f"calls and transcripts loaded in {times['load']:.1f} s; index built in "
              f"{times['index']:.1f} s (+ {times['lemmas']:.1f} s lemmatising)")  # fmt: skip
        measure(store, args.rounds, corpus)
    finally:
        store.engine.dispose()


def postgres_database() -> tuple[str, str] | None:
    """(admin URL, URL of a new database ``cic_bench_<random>``), or None if unreachable."""
    admin = make_url(POSTGRES_URL).set(drivername="postgresql").render_as_string(False)
    name = f"cic_bench_{secrets.token_hex(4)}"
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.Error as exc:
        print(f"postgresql: skipped, unreachable at {POSTGRES_URL}: {str(exc).strip()}")
        return None
    return admin, make_url(admin).set(database=name).render_as_string(False)


def main() -> None:
    """Generate, load and time on each database."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--transcripts", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    args = parser.parse_args()
    corpus = Corpus(args.seed)
    if args.only in (None, "sqlite"):
        folder = tempfile.mkdtemp(prefix="cic-bench-search-")
        path = Path(folder) / "cic.db"
        run("sqlite", f"sqlite:///{path}", args, corpus)
        if args.keep:
            print(f"  kept {path}")
        else:
            for leftover in Path(folder).iterdir():
                leftover.unlink()
            Path(folder).rmdir()
    if args.only in (None, "postgresql"):
        found = postgres_database()
        if found is not None:
            admin, url = found
            try:
                run("postgresql", url, args, corpus)
            finally:
                if args.keep:
                    print(f"  kept {url}")
                else:
                    with psycopg.connect(admin, autocommit=True) as conn:
                        name = make_url(url).database or ""
                        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                            sql.Identifier(name)))  # fmt: skip


if __name__ == "__main__":
    main()
