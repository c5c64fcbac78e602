"""Full-text search over redacted transcripts on SQLite (FTS5) and PostgreSQL (tsvector):
Polish inflections and missing diacritics, AND semantics, prefixes, ranking, snippets with
the seek time, query syntax that cannot break out of its quotes, the index kept in step by
``save_result`` and retention, the migration's backfill, and who may search over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from cic.auth.models import AuditEntry
from cic.calls.models import Call
from cic.db import Store, migrate
from cic.postcall.pipeline import Heard, PipelineResult
from cic.postcall.results import save_result
from cic.recordings.models import CallTopic, CallTranscript, TranscriptTerms
from cic.recordings.retention import run_retention
from cic.review import search
from cic.review.errors import InvalidInput
from cic.review.review import Filters, Review
from cic.review.search import TranscriptSearch, fts5_query, index_text, parse_query, tsquery
from cic.review.views import routes
from cic.speech.models import Segment, Transcript, Word
from cic.topics.taxonomy import load_taxonomy
from cic.web.errors import error_middleware
from tests.component.test_kb_views import as_, fake_auth

Client = TestClient[Any, Any]
FTS = "transcript_terms_fts"
NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
CALLS = {
    "t-tax": (
        2,
        [("resident", "Dzień dobry, dzwonię w sprawie podatku od nieruchomości za garaż."),
         ("agent", "Podatek od nieruchomości płaci się w czterech ratach.")],
    ),
    "t-waste": (
        3,
        [("resident", "Chciałabym złożyć deklarację na odpady, bo przybyło nam dzieci."),
         ("agent", "Deklarację śmieciową składa się w ciągu czternastu dni.")],
    ),
    "t-tree": (
        5,
        [("resident", "Sąsiad chce wyciąć drzewa przy płocie, czy potrzebne jest zezwolenie?"),
         ("agent", "Na wycinkę drzew zgłoszenie składa się w urzędzie gminy.")],
    ),
    "t-old-tax": (
        9,
        [("resident", "Nie dostałem decyzji w sprawie podatku od nieruchomości.")],
    ),
}  # fmt: skip
EVIL = [
    "'; DROP TABLE call_transcripts; --",
    '"podatek',
    "podatek\"'",
    "NEAR(podatek nieruchomość)",
    "-podatek",
    "lemmas:podatek",
    "podatek OR odpady",
    "podatek AND NOT odpady",
    "podatek*",
    "*",
    "<script>alert(1)</script> podatek",
    "podatek & !odpady | (x:*",
    "\\' podatek",
    "{lemmas} : podatek ^ +",
]


def transcript(lines: list[tuple[str, str]], offset: float = 0.0) -> Transcript:
    """Segments of timed words, one second per word."""
    segments = []
    clock = offset
    for speaker, line in lines:
        timed = []
        for token in line.split():
            timed.append(Word(token, clock, clock + 0.8, 0.9))
            clock += 1.0
        segments.append(Segment(speaker, tuple(timed)))  # type: ignore[arg-type]
    return Transcript(tuple(segments), engine="test")


def result(lines: list[tuple[str, str]]) -> PipelineResult:
    heard = Heard(transcript(lines), "model", 60.0, True, ())
    return PipelineResult(heard, transcript(lines), {}, (), None)


@pytest.fixture
def store(db_url: str) -> Store:
    migrate(db_url)
    store = Store(db_url)

    def seed(session: Session) -> None:
        for call_id, (age, lines) in CALLS.items():
            at = NOW - timedelta(days=age)
            session.add(Call(call_id=call_id, entered_at=at, ended_at=at, outcome="answered",
                             agent="PJSIP/agent-anna"))  # fmt: skip
            session.flush()
            save_result(session, call_id, 1, result(lines))
        session.add(CallTopic(call_id="t-waste", topic_id="oplata-za-odpady", source="auto"))

    store.run_sync(seed)
    return store


@pytest.fixture
def finder() -> TranscriptSearch:
    return TranscriptSearch(Review(load_taxonomy()))


def find(store: Store, finder: TranscriptSearch, query: str, **filters: Any) -> list[str]:
    hits = store.run_sync(lambda s: finder.search(s, query, Filters(**filters)))
    return [h["call_id"] for h in hits]


def test_inflections_and_missing_diacritics_find_the_transcript(
    store: Store, finder: TranscriptSearch
) -> None:
    assert set(find(store, finder, "podatku od nieruchomosci")) == {"t-tax", "t-old-tax"}
    assert set(find(store, finder, "PODATEK OD NIERUCHOMOŚCI")) == {"t-tax", "t-old-tax"}
    assert find(store, finder, "deklaracja odpadów") == ["t-waste"]
    assert find(store, finder, "drzewo wycinka") == ["t-tree"]
    assert find(store, finder, "smieciowa") == ["t-waste"]


def test_every_word_must_match_and_a_missing_word_finds_nothing(
    store: Store, finder: TranscriptSearch
) -> None:
    assert find(store, finder, "podatek garaż") == ["t-tax"]
    assert find(store, finder, "podatek drzewo") == []
    assert find(store, finder, "hulajnoga") == []


def test_prefix_with_a_star(store: Store, finder: TranscriptSearch) -> None:
    assert set(find(store, finder, "nieruchom*")) == {"t-tax", "t-old-tax"}
    assert find(store, finder, "zezw* drzew") == ["t-tree"]
    with pytest.raises(InvalidInput, match="co najmniej 3"):
        find(store, finder, "po*")


def test_ranked_best_first_newest_on_ties_and_filtered_by_date(
    store: Store, finder: TranscriptSearch
) -> None:
    # t-tax says it twice: ranked above the older call that says it once.
    assert find(store, finder, "podatek nieruchomość") == ["t-tax", "t-old-tax"]
    same = [("resident", "Pytanie o dotację na wymianę pieca.")]
    for call_id, age in (("t-older", 20), ("t-newer", 1), ("t-middle", 10)):
        at = NOW - timedelta(days=age)
        store.run_sync(lambda s, c=call_id, a=at: s.add(Call(call_id=c, entered_at=a)))
        store.run_sync(lambda s, c=call_id: save_result(s, c, 3, result(same)))
    assert find(store, finder, "dotacja piec") == ["t-newer", "t-middle", "t-older"]
    since = (NOW - timedelta(days=4)).date()
    assert find(store, finder, "podatek", since=since) == ["t-tax"]
    assert find(store, finder, "podatek", until=(NOW - timedelta(days=8)).date()) == ["t-old-tax"]
    assert find(store, finder, "deklaracja", topic="oplata-za-odpady") == ["t-waste"]
    assert find(store, finder, "podatek", topic="oplata-za-odpady") == []


def test_topic_filter_follows_corrections_before_paging(
    store: Store, finder: TranscriptSearch
) -> None:
    def tag(call_id: str, topic: str, source: str) -> None:
        store.run_sync(lambda s: s.add(CallTopic(call_id=call_id, topic_id=topic, source=source)))

    tax = "podatek-od-nieruchomosci"
    tag("t-tax", tax, "auto")
    tag("t-old-tax", tax, "auto")
    tag("t-tax", "oplata-za-odpady", "supervisor")  # the best hit was about waste after all

    def page(topic: str) -> list[str]:
        hits = store.run_sync(lambda s: finder.search(s, "podatek", Filters(topic=topic), 1))
        return [h["call_id"] for h in hits]

    # A page of one: the corrected call is filtered out before paging, not after (which
    # left this page empty though t-old-tax is on the topic).
    assert page(tax) == ["t-old-tax"]
    assert page("oplata-za-odpady") == ["t-tax"]
    tag("t-old-tax", "wycinka-drzew", "wrapup")  # the agent's wrap-up counts as well
    assert page("wycinka-drzew") == ["t-old-tax"]


def test_the_ranking_window_holds_the_newest_matches_the_filters_keep(
    store: Store, finder: TranscriptSearch, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "RANK_WINDOW", 1)  # only the newest match is ranked
    # Unfiltered: the newest indexed match (t-old-tax, transcribed last) is all there is.
    assert find(store, finder, "podatek nieruchomość") == ["t-old-tax"]
    # The filters come first: the window is the newest match of the calls they keep.
    assert find(store, finder, "podatek nieruchomość",
                since=(NOW - timedelta(days=4)).date()) == ["t-tax"]  # fmt: skip
    assert find(store, finder, "podatek", until=(NOW - timedelta(days=8)).date()) == ["t-old-tax"]
    monkeypatch.setattr(search, "RANK_WINDOW", 2)  # both ranked: t-tax says it twice
    month = (NOW - timedelta(days=30)).date()
    assert find(store, finder, "podatek nieruchomość", since=month) == ["t-tax", "t-old-tax"]


def test_hit_has_the_matching_segment_marked_escaped_with_speaker_and_time(
    store: Store, finder: TranscriptSearch
) -> None:
    hits = store.run_sync(lambda s: finder.search(s, "wycinka drzew"))
    hit = hits[0]
    assert hit["call_id"] == "t-tree" and hit["speaker"] == "agent"
    # resident's segment: 10 words (0..9 s); the agent's "wycinkę" is its 2nd word.
    assert hit["start"] == 11.0
    assert "<mark>wycinkę</mark>" in hit["snippet"] and "<mark>drzew</mark>" in hit["snippet"]
    assert [p["text"] for p in hit["snippet_parts"] if p["mark"]] == ["wycinkę", "drzew"]
    assert hit["call"]["call_id"] == "t-tree" and hit["call"]["topics"] == []
    waste = store.run_sync(lambda s: finder.search(s, "deklaracja"))[0]
    assert waste["call"]["topics"] == [
        {"id": "oplata-za-odpady", "name": "Opłata za odpady (deklaracja śmieciowa)"}
    ]


def test_snippets_escape_html_from_the_transcript(store: Store, finder: TranscriptSearch) -> None:
    lines = [("resident", 'Mój podatek <script>alert(1)</script> & "cudzysłów"')]
    store.run_sync(lambda s: s.add(Call(call_id="t-html", entered_at=NOW, outcome="answered")))
    store.run_sync(lambda s: save_result(s, "t-html", 2, result(lines)))
    hit = store.run_sync(lambda s: finder.search(s, "script podatek"))[0]
    assert hit["call_id"] == "t-html"
    assert "<script>" not in hit["snippet"] and "&lt;<mark>script</mark>&gt;" in hit["snippet"]


@pytest.mark.parametrize("query", EVIL)
def test_query_syntax_is_quoted_never_an_error(
    store: Store, finder: TranscriptSearch, query: str
) -> None:
    try:
        hits = find(store, finder, query)
    except InvalidInput as exc:
        assert exc.status == 400 and str(exc)
    else:
        assert set(hits) <= {"t-tax", "t-old-tax", "t-waste", "t-tree"}
    count = store.run_sync(lambda s: s.scalar(select(func.count()).select_from(CallTranscript)))
    assert count == len(CALLS)


def test_query_builders_quote_every_word() -> None:
    terms = parse_query('podatku "od" NEAR( nieruch* -x:y')
    assert fts5_query(terms) == (
        '("podatek" OR "podatku") AND ("near") AND "nieruch"* AND ("x") AND ("y")'
    )
    assert tsquery(terms) == "('podatek' | 'podatku') & ('near') & 'nieruch':* & ('x') & ('y')"
    for empty in ("", "   ", "\"'*-:()", "i w od"):
        with pytest.raises(InvalidInput):
            parse_query(empty)
    with pytest.raises(InvalidInput, match="200"):
        parse_query("podatek " * 30)


def test_index_text_keeps_lemma_and_folded_form() -> None:
    assert index_text("Podatku od nieruchomości") == "podatek podatku nieruchomosc nieruchomosci"


def test_storing_again_replaces_the_index_row(store: Store, finder: TranscriptSearch) -> None:
    lines = [("resident", "Zgubiłem dowód osobisty na spacerze.")]
    store.run_sync(lambda s: save_result(s, "t-tax", 9, result(lines)))
    assert find(store, finder, "podatek garaż") == []
    assert find(store, finder, "dowodu osobistego") == ["t-tax"]
    rows = store.run_sync(
        lambda s: s.scalar(
            select(func.count())
            .select_from(TranscriptTerms)
            .where(TranscriptTerms.call_id == "t-tax")
        )
    )
    assert rows == 1


def test_retention_removes_the_transcript_from_the_index(
    store: Store, finder: TranscriptSearch, tmp_path: Path
) -> None:
    report = store.run_sync(lambda s: run_retention(s, tmp_path, 7, NOW))
    assert report.transcripts == 1
    assert find(store, finder, "podatek nieruchomość") == ["t-tax"]
    left = store.run_sync(lambda s: list(s.scalars(select(TranscriptTerms.call_id))))
    assert sorted(left) == ["t-tax", "t-tree", "t-waste"]
    if store.engine.dialect.name == "sqlite":  # the FTS5 index itself agrees with its table
        store.run_sync(
            lambda s: s.execute(text(f"INSERT INTO {FTS}({FTS}) VALUES ('integrity-check')"))
        )


def test_migration_backfills_existing_transcripts(db_url: str) -> None:
    migrate(db_url, "0013")
    store = Store(db_url)
    store.run_sync(
        lambda s: s.add(
            CallTranscript(call_id="old", segments=[], text="Wycinka drzew", findings={})
        )
    )
    store.run_sync(lambda s: s.add(Call(call_id="old", entered_at=NOW, outcome="answered")))
    migrate(db_url)
    hits = store.run_sync(lambda s: TranscriptSearch().search(s, "drzewa"))
    assert [(h["call_id"], h["start"], h["snippet"]) for h in hits] == [
        ("old", None, "Wycinka <mark>drzew</mark>")
    ]


@pytest.fixture
async def client(store: Store) -> AsyncIterator[Client]:
    app = web.Application(middlewares=[error_middleware(), fake_auth])
    app.add_routes(routes(Review(load_taxonomy()), store))
    async with TestClient(TestServer(app)) as client:
        yield client


async def test_http_search_for_supervisors_only(client: Client, store: Store) -> None:
    params = {"q": "podatku od nieruchomosci", "from": "2026-11-30"}
    assert (await client.get("/api/review/search", params=params)).status == 401
    refused = await client.get("/api/review/search", params=params, headers=as_("agent"))
    assert refused.status == 403
    for role in ("supervisor", "admin"):
        ok = await client.get("/api/review/search", params=params, headers=as_(role))
        assert ok.status == 200
        body = await ok.json()
        assert body["count"] == 1 and body["results"][0]["call_id"] == "t-tax"
    searches = store.run_sync(
        lambda s: [
            (e.actor, e.detail, e.target)
            for e in s.scalars(select(AuditEntry).where(AuditEntry.action == "transcript_search"))
        ]
    )  # each search on record, by count only: the words themselves may be personal data
    assert searches == [
        (f"u-{role}", {"results": 1, "offset": 0}, "/przeglad") for role in ("supervisor", "admin")
    ]
    assert "nieruchomosci" not in str(searches)


async def test_http_search_comes_in_pages(client: Client) -> None:
    async def page(**params: str) -> dict[str, Any]:
        response = await client.get(
            "/api/review/search", params={"q": "podatek", **params}, headers=as_("supervisor")
        )
        assert response.status == 200
        return dict(await response.json())

    first = await page(limit="1")
    assert (first["count"], first["more"], first["offset"]) == (1, True, 0)
    second = await page(limit="1", offset="1")
    assert (second["count"], second["more"]) == (1, False)
    assert [first["results"][0]["call_id"], second["results"][0]["call_id"]] == [
        "t-tax", "t-old-tax"
    ]  # fmt: skip
    assert (await page(offset="2"))["results"] == []


@pytest.mark.parametrize(
    ("params", "message"),
    [({"q": ""}, "Wpisz"), ({"q": "a" * 201}, "200"), ({"q": "podatek", "from": "wczoraj"},
     "RRRR-MM-DD"), ({"q": "*"}, "słowa"), ({"q": "podatek", "limit": "0"}, "co najmniej 1"),
     ({"q": "podatek", "limit": "51"}, "najwyżej 50"), ({"q": "podatek", "offset": "x"}, "liczbą"),
     ({"q": "podatek", "offset": "-1"}, "liczbą"), ({"q": "podatek", "offset": "1001"}, "1000")],
)  # fmt: skip
async def test_http_bad_queries_are_a_polish_400(
    client: Client, params: dict[str, str], message: str
) -> None:
    response = await client.get("/api/review/search", params=params, headers=as_("supervisor"))
    assert response.status == 400
    body = await response.json()
    assert body["error"] == "invalid_input" and message in body["message"]


@pytest.mark.parametrize("query", EVIL)
async def test_http_metacharacters_never_give_500(client: Client, query: str) -> None:
    response = await client.get(
        "/api/review/search", params={"q": query}, headers=as_("supervisor")
    )
    assert response.status in (200, 400)
