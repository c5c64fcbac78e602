"""Which newest matches a transcript search ranks: on PostgreSQL walked along the primary key
for common words, from the GIN index for rare ones (``cic.review.search_pg``), always
the same hits; and pages of hits (offset, limit) on both databases."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import insert, text
from sqlalchemy.orm import Session

from cic.calls.models import Call
from cic.db import Store, migrate
from cic.recordings.models import CallTranscript, TranscriptTerms
from cic.review import search, search_pg
from cic.review.errors import InvalidInput
from cic.review.review import Filters, Review
from cic.review.search import PAGE, TranscriptSearch, index_text
from cic.review.search_pg import LexemeStats, next_size, share, walk_span
from cic.review.search_terms import Term, parse_query, tsquery
from cic.topics.taxonomy import load_taxonomy
from tests.conftest import empty_postgres

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
CALLS = 1200
# Every call mentions the waste fee, every third a dog, every 40th a cemetery: "pies" and
# "cmentarz" meet in every 120th.
LINES = {
    "fee": "Pytam o opłatę za odpady komunalne i termin raty.",
    "dog": "Bezdomny pies biega po osiedlu od rana.",
    "cemetery": "Chodzi o miejsce na cmentarzu komunalnym.",
}


def lines_of(n: int) -> list[str]:
    """What call ``n`` is about."""
    said = [LINES["fee"]]
    if n % 3 == 0:
        said.append(LINES["dog"])
    if n % 40 == 0:
        said.append(LINES["cemetery"])
    return said


@pytest.fixture(scope="module")
def store(postgres_url: str) -> Iterator[Store]:
    """The session's PostgreSQL database, emptied, with 1,200 short transcripts, analysed."""
    migrate(empty_postgres(postgres_url))
    store = Store(postgres_url)

    def seed(session: Session) -> None:
        calls, transcripts, terms = [], [], []
        for n in range(CALLS):
            call_id = f"w-{n:04d}"
            at = NOW - timedelta(minutes=CALLS - n)
            said = "\n".join(lines_of(n))
            agent = "PJSIP/agent-anna" if n % 7 == 0 else None  # one call in seven
            calls.append({"call_id": call_id, "entered_at": at, "outcome": "answered",
                          "agent": agent})  # fmt: skip
            transcripts.append({"call_id": call_id, "text": said, "segments": [],
                                "findings": {}, "engine": "test", "created_at": at,
                                "updated_at": at})  # fmt: skip
            terms.append({"call_id": call_id, "lemmas": index_text(said), "starts": ""})
        session.execute(insert(Call), calls)
        session.execute(insert(CallTranscript), transcripts)
        session.execute(insert(TranscriptTerms), terms)

    store.run_sync(seed)
    with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("ANALYZE transcript_terms"))
    yield store
    store.engine.dispose()


def ids(
    store: Store,
    finder: TranscriptSearch,
    query: str,
    limit: int = PAGE,
    offset: int = 0,
    filters: Filters | None = None,
) -> list[str]:
    hits = store.run_sync(lambda s: finder.search(s, query, filters or Filters(), limit, offset))
    return [h["call_id"] for h in hits]


def test_common_words_are_walked_rare_ones_found_by_the_index(store: Store) -> None:
    finder = TranscriptSearch()
    stats = store.run_sync(finder.postgres.stats)
    assert stats.rows == CALLS
    assert stats.shares["odpad"] == pytest.approx(1.0, abs=0.01)
    # A window of 10 among 1,200 calls: walking beats the index from ~270 matches on.
    assert walk_span(stats, parse_query("odpady"), 10) == 40  # 4 x 10 rows: all match
    assert walk_span(stats, parse_query("pies"), 10) is not None  # 400 matches
    assert walk_span(stats, parse_query("cmentarz"), 10) is None  # 30
    assert walk_span(stats, parse_query("pies cmentarz"), 10) is None  # estimated ~23


@pytest.mark.parametrize(
    ("query", "walked"),
    [("odpady", True), ("pies", True), ("odpad* pies", True), ("komunalny", True),
     ("bezdomny pies", True), ("cmentarz", False), ("pies cmentarz", False)],
)  # fmt: skip
def test_walk_and_index_give_the_same_hits(
    store: Store, query: str, walked: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = {f"w-{n:04d}" for n in range(CALLS) if all(_said(n, w) for w in query.split())}
    # A window of 10 (every call is of the last 30 days) in pages of 2: five pages, then none.
    monkeypatch.setattr(search, "RANK_WINDOW", 10)
    walks: list[int] = []
    walk_span = search_pg.walk_span
    monkeypatch.setattr(search_pg, "walk_span",
                        lambda *a: _noted(walks, walk_span(*a)))  # fmt: skip
    dated = Filters(since=(NOW - timedelta(days=30)).date())

    def pages() -> list[str]:
        finder = TranscriptSearch(Review(load_taxonomy()))
        return [c for o in range(0, 16, 2) for c in ids(store, finder, query, 2, o, dated)]

    found = pages()
    monkeypatch.setattr(search_pg, "walk_span", lambda *_args: None)
    indexed = pages()
    assert found == indexed
    assert len(found) == len(set(found)) == min(10, len(expected))
    assert set(found) <= expected
    assert bool(walks) == walked


@pytest.mark.parametrize("query", ["odpady", "pies", "bezdomny pies", "cmentarz", "pies cmentarz"])
def test_a_filter_keeping_few_calls_asks_for_more_matches_until_the_window_is_full(
    store: Store, query: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "RANK_WINDOW", 10)
    shown: list[int] = []
    keeper = search._keeper

    def noting(session: Session, filters: Any) -> Callable[[list[int]], set[int]]:
        keep = keeper(session, filters)
        return lambda ids: shown.extend(ids) or keep(ids)

    monkeypatch.setattr(search, "_keeper", noting)
    anna = Filters(agent="anna")  # one call in seven
    said = [n for n in range(CALLS) if n % 7 == 0 and all(_said(n, w) for w in query.split())]
    newest = {f"w-{n:04d}" for n in said[-10:]}

    def window() -> list[str]:
        return ids(store, TranscriptSearch(Review(load_taxonomy())), query, 50, 0, anna)

    found = window()
    assert len(shown) == len(set(shown))  # each match shown to the filters once
    monkeypatch.setattr(search_pg, "walk_span", lambda *_args: None)
    assert window() == found
    assert set(found) == newest and len(found) == min(10, len(said))


def test_each_request_for_matches_follows_the_share_kept_so_far() -> None:
    assert next_size(100, 0, 100) == 1600  # none kept yet: sixteen times as many
    assert next_size(100, 50, 800) == 1800  # half the window from 800: 1,000 more, and 25 %
    assert next_size(100, 97, 3000) == 3116  # three more at 97 in 3,000, and 25 %
    assert next_size(100, 99, 100) == 200  # nearly full: still a window more


def _noted(walks: list[int], span: int | None) -> int | None:
    if span is not None:
        walks.append(span)
    return span


def _said(n: int, word: str) -> bool:
    stems = {"odpady": "odpady", "odpad*": "odpady", "pies": "pies", "bezdomny": "Bezdomny",
             "cmentarz": "cmentarzu", "komunalny": "komunaln"}  # fmt: skip
    return stems[word] in " ".join(lines_of(n))


def test_a_walk_that_finds_too_few_falls_back_to_the_index(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Pretend "pies cmentarz" were common: the bounded walk (4 x 250 x 1200 / 1200 rows)
    # looks at 1,000 rows and finds fewer than 250, so the index finds all ten.
    monkeypatch.setattr(search_pg, "walk_span", lambda *_args: 1000)
    finder = TranscriptSearch()
    terms = parse_query("pies cmentarz")
    found, every = store.run_sync(
        lambda s: finder.postgres.newest_ids(s, terms, tsquery(terms), 250)
    )
    assert every and len(found) == CALLS // 120


def test_share_is_that_of_the_rarest_word_and_the_commonest_form() -> None:
    stats = LexemeStats({"podatek": 0.2, "podatku": 0.1, "nieruchomosc": 0.3, "psa": 0.01}, 1e5)
    assert share(stats, parse_query("podatku")) == 0.2
    # Neither the rarer word's 0.2 nor the product 0.06: 0.2 x 0.3 ** 0.25.
    assert share(stats, parse_query("podatek nieruchomości")) == pytest.approx(0.148, abs=1e-3)
    assert share(stats, [Term(("hulajnoga",))]) == 0.01  # unlisted: rarer than all listed
    assert share(stats, [Term(("podat",), prefix=True)]) == pytest.approx(0.3)
    assert walk_span(stats, parse_query("podatek"), 250) == 5000  # 4 x 250 / 0.2
    assert walk_span(stats, [Term(("psa",))], 250) is None  # 1,000 matches: the index
    assert walk_span(stats, parse_query("podatek"), 2000) is None  # 20,000: the index
    assert walk_span(LexemeStats({}, 0.0), parse_query("podatek"), 250) is None


def test_a_topics_lexeme_is_taken_as_independent_of_the_words() -> None:
    stats = LexemeStats({"podatek": 0.2, "nieruchomosc": 0.3, "temat1": 0.25}, 1e5)
    topic = Term(("temat1",), implied=True)
    assert share(stats, [*parse_query("podatek"), topic]) == pytest.approx(0.05)  # 0.2 x 0.25
    both = share(stats, [*parse_query("podatek nieruchomości"), topic])
    assert both == pytest.approx(0.148 * 0.25, abs=1e-3)
    # As a word it would be said together with the others: 0.2 x 0.25 ** 0.25, walked.
    assert share(stats, [*parse_query("podatek"), Term(("temat1",))]) == pytest.approx(0.141, 1e-2)
    assert walk_span(stats, [*parse_query("podatek"), topic], 100) is None  # 5,000: the index


def test_statistics_are_read_again_after_their_time(store: Store) -> None:
    clock = [0.0]
    window = search_pg.PostgresWindow(clock=lambda: clock[0])
    first = store.run_sync(window.stats)
    assert store.run_sync(window.stats) is first
    clock[0] += search_pg.STATS_TTL + 1
    assert store.run_sync(window.stats) is not first


def test_pages_follow_each_other_and_bad_pages_are_refused(store: Store) -> None:
    finder = TranscriptSearch(Review(load_taxonomy()))
    whole = ids(store, finder, "cmentarz", limit=50)
    assert len(whole) == 30
    pages = [ids(store, finder, "cmentarz", limit=7, offset=o) for o in range(0, 35, 7)]
    assert [call for page in pages for call in page] == whole
    assert len(ids(store, finder, "odpady")) == 20  # the default page
    with pytest.raises(InvalidInput):
        ids(store, finder, "odpady", offset=5000)
