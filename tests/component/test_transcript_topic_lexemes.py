"""On PostgreSQL each search row's vector holds its call's topics as lexemes (migration
0016), kept in step by triggers whoever writes ``call_topics``; a topic-filtered search asks
the index for the topic's calls only, and still follows supervisors' corrections."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, insert, select, text
from sqlalchemy.orm import Session

from cic.calls.models import Call
from cic.db import Store, migrate
from cic.recordings.models import CallTopic, CallTranscript, TranscriptTerms
from cic.review import search
from cic.review.review import Filters, Review
from cic.review.search import TranscriptSearch, index_text
from cic.review.search_terms import topic_lexeme
from cic.topics.taxonomy import load_taxonomy
from tests.conftest import empty_postgres

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
TREES = "wycinka-drzew"
ODD_TOPICS = ["meldunek", "Podatek od nieruchomości – raty", "'; DROP TABLE calls; --", "ąę"]


@pytest.fixture
def store(postgres_url: str) -> Iterator[Store]:
    """An empty, migrated PostgreSQL database."""
    migrate(empty_postgres(postgres_url))
    store = Store(postgres_url)
    yield store
    store.engine.dispose()


def _lexemes(store: Store, call_id: str) -> set[str]:
    row = store.run_sync(
        lambda s: s.execute(
            text("SELECT topic_lexemes, search_vector::text FROM transcript_terms"
                 " WHERE call_id = :c"), {"c": call_id}
        ).one()
    )  # fmt: skip
    said = set(row[0].split())
    vector = {part.split(":")[0].strip("'") for part in row[1].split()}
    assert said <= vector  # the index sees what the column holds
    return said


def _tag(store: Store, call_id: str, topic: str, source: str = "auto") -> None:
    store.run_sync(lambda s: s.add(CallTopic(call_id=call_id, topic_id=topic, source=source)))


def _add_call(session: Session, call_id: str, said: str, minutes_ago: int) -> None:
    at = NOW - timedelta(minutes=minutes_ago)
    session.add(Call(call_id=call_id, entered_at=at, outcome="answered"))
    session.add(CallTranscript(call_id=call_id, text=said, segments=[], findings={}))
    session.add(TranscriptTerms(call_id=call_id, lemmas=index_text(said), starts=""))


def test_python_and_postgresql_name_a_topic_by_the_same_lexeme(store: Store) -> None:
    for topic in ODD_TOPICS:
        sql = store.run_sync(
            lambda s, t=topic: s.scalar(text("SELECT cic_topic_lexeme(:t)"), {"t": t})
        )
        assert sql == topic_lexeme(topic)
        vector = store.run_sync(
            lambda s, t=topic: s.scalar(text("SELECT to_tsvector('simple', :w)::text"),
                                        {"w": topic_lexeme(t)})
        )  # fmt: skip
        assert vector == f"'{topic_lexeme(topic)}':1"  # one word, as the query spells it
    assert len({topic_lexeme(t) for t in ODD_TOPICS}) == len(ODD_TOPICS)


def test_lexemes_follow_every_change_of_the_calls_topics(store: Store) -> None:
    store.run_sync(lambda s: s.add(Call(call_id="c1", entered_at=NOW, outcome="answered")))
    _tag(store, "c1", TREES)  # before the transcript: the new search row takes it
    store.run_sync(lambda s: s.add(TranscriptTerms(call_id="c1", lemmas="drzewo", starts="")))
    assert _lexemes(store, "c1") == {topic_lexeme(TREES)}
    _tag(store, "c1", ODD_TOPICS[1], "wrapup")
    _tag(store, "c1", "meldunek", "supervisor")
    assert _lexemes(store, "c1") == {topic_lexeme(t) for t in (TREES, ODD_TOPICS[1], "meldunek")}
    store.run_sync(lambda s: s.execute(delete(CallTopic).where(CallTopic.source != "auto")))
    assert _lexemes(store, "c1") == {topic_lexeme(TREES)}
    store.run_sync(lambda s: s.execute(
        CallTopic.__table__.update().values(topic_id="meldunek")))  # fmt: skip
    assert _lexemes(store, "c1") == {topic_lexeme("meldunek")}
    # A bulk insert, as a migration or an import would write them, is followed too.
    store.run_sync(lambda s: s.execute(insert(CallTopic), [
        {"call_id": "c1", "topic_id": TREES, "source": "wrapup", "matched": []}]))  # fmt: skip
    assert _lexemes(store, "c1") == {topic_lexeme("meldunek"), topic_lexeme(TREES)}
    assert store.run_sync(lambda s: s.scalar(select(TranscriptTerms.lemmas))) == "drzewo"


def test_a_topic_filter_shows_only_that_topics_calls_to_the_filters(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    def seed(session: Session) -> None:
        for n in range(60):
            _add_call(session, f"p-{n:02d}", "Pytam o podatek od nieruchomości.", 60 - n)
        session.flush()
        for n in (3, 17, 41):
            session.add(CallTopic(call_id=f"p-{n:02d}", topic_id=TREES, source="auto"))
        # corrected away from the topic: its lexeme stays (an automatic row), the filter drops it
        session.add(CallTopic(call_id="p-50", topic_id=TREES, source="auto"))
        session.add(CallTopic(call_id="p-50", topic_id="meldunek", source="supervisor"))

    store.run_sync(seed)
    shown: list[int] = []
    real = search._keeper

    def recording(session: Session, filters: object) -> Callable[[list[int]], set[int]]:
        keep = real(session, filters)  # type: ignore[arg-type]

        def wrapped(ids: list[int]) -> set[int]:
            shown.extend(ids)
            return keep(ids)

        return wrapped

    monkeypatch.setattr(search, "_keeper", recording)
    finder = TranscriptSearch(Review(load_taxonomy()))
    hits = store.run_sync(lambda s: finder.search(s, "podatek", Filters(topic=TREES)))
    assert sorted(h["call_id"] for h in hits) == ["p-03", "p-17", "p-41"]
    tagged = store.run_sync(lambda s: list(s.scalars(select(TranscriptTerms.id).where(
        TranscriptTerms.call_id.in_(["p-03", "p-17", "p-41", "p-50"])))))  # fmt: skip
    # Only the topic's four calls were found and checked, not the 60 that say "podatek".
    assert sorted(shown) == sorted(tagged)
    unfiltered = store.run_sync(lambda s: finder.search(s, "podatek", Filters(), 50))
    assert len(unfiltered) == 50


def test_the_migration_gives_existing_rows_their_topics_and_downgrades(
    postgres_url: str,
) -> None:
    migrate(empty_postgres(postgres_url), "0015")
    store = Store(postgres_url)
    try:
        store.run_sync(lambda s: _add_call(s, "old", "Wycinka drzewa przy drodze.", 5))
        store.run_sync(lambda s: _add_call(s, "other", "Wycinka drzewa w parku.", 4))
        _tag(store, "old", TREES)
        migrate(postgres_url)
        assert _lexemes(store, "old") == {topic_lexeme(TREES)} and not _lexemes(store, "other")
        finder = TranscriptSearch(Review(load_taxonomy()))
        hits = store.run_sync(lambda s: finder.search(s, "drzewa", Filters(topic=TREES)))
        assert [h["call_id"] for h in hits] == ["old"]
        migrate(postgres_url, "0015", down=True)
        left = store.run_sync(lambda s: TranscriptSearch().search(s, "drzewa"))
        assert sorted(h["call_id"] for h in left) == ["old", "other"]
    finally:
        store.engine.dispose()
