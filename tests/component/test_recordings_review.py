"""The supervisor's review: filters, effective topics (corrections first), counts per ISO week
and month in Warsaw time, CSV that a spreadsheet cannot run, and who may see it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.orm import Session

from cic.agents.models import Queue
from cic.calls.models import Call
from cic.db import Store
from cic.departments.models import Department
from cic.recordings.models import CallTopic, CallTranscript
from cic.review.errors import InvalidInput
from cic.review.review import Filters, Review, as_csv
from cic.review.schemas import parse_filters
from cic.review.views import routes
from cic.topics.taxonomy import load_taxonomy
from cic.web.errors import error_middleware
from tests.component.test_kb_views import as_, fake_auth

Client = TestClient[Any, Any]
# Sunday 29 Nov 2026 23:30 UTC is already Monday 30 Nov in Warsaw: ISO week 49, not 48.
CALLS = [
    ("c1", datetime(2026, 11, 24, 9, 0, tzinfo=UTC), "PJSIP/agent-anna", "pierwsza-linia", 120.0),
    ("c2", datetime(2026, 11, 29, 23, 30, tzinfo=UTC), "PJSIP/agent-anna", "finanse", 40.0),
    ("c3", datetime(2026, 12, 2, 10, 0, tzinfo=UTC), "PJSIP/agent-bogdan", "pierwsza-linia", 300.0),
    ("c4", datetime(2026, 12, 2, 11, 0, tzinfo=UTC), "PJSIP/agent-bogdan", "pierwsza-linia", 15.0),
]
TAGS = [
    ("c1", "podatek-od-nieruchomosci", "auto"),
    ("c2", "podatek-od-nieruchomosci", "auto"),
    ("c3", "podatek-od-nieruchomosci", "auto"),  # corrected below: it was about waste
    ("c3", "oplata-za-odpady", "supervisor"),
    ("c3", '=HYPERLINK("x")', "wrapup"),
    ("c4", "wycinka-drzew", "auto"),
]


@pytest.fixture
async def store(db_url: str) -> AsyncIterator[Store]:
    store = Store(db_url)
    store.migrate()

    def seed(session: Session) -> None:
        session.add(Department(code="FN", name="Finanse"))
        session.flush()
        fn = session.query(Department).filter_by(code="FN").one()
        session.add(Queue(name="finanse", title="Finanse", department_id=fn.id))
        for call_id, at, agent, queue, talk in CALLS:
            row = Call(call_id=call_id, caller_number="+48600100200", entered_at=at, agent=agent,
                       queue=queue, outcome="answered", talk_seconds=talk)  # fmt: skip
            session.add(row)
        session.flush()
        for call_id, topic, source in TAGS:
            session.add(CallTopic(call_id=call_id, topic_id=topic, source=source, matched=[]))
        session.add(CallTranscript(call_id="c3", segments=[], text="odpady", findings={}))

    store.run_sync(seed)
    yield store
    await store.close()


@pytest.fixture
def review() -> Review:
    return Review(load_taxonomy())


def _ids(rows: list[dict[str, Any]]) -> list[str]:
    return [r["call_id"] for r in rows]


async def test_filters_and_effective_topics(store: Store, review: Review) -> None:
    def run(**kw: Any) -> list[dict[str, Any]]:
        return store.run_sync(lambda s: review.calls(s, Filters(**kw)))

    every = run()
    assert _ids(every) == ["c4", "c3", "c2", "c1"]
    c3 = next(c for c in every if c["call_id"] == "c3")
    assert [t["id"] for t in c3["topics"]] == ["oplata-za-odpady"] and c3["corrected"]
    assert c3["transcribed"] and c3["wrapup_topics"] == ['=HYPERLINK("x")']
    # The correction wins: c3 is no longer a property-tax call.
    assert _ids(run(topic="podatek-od-nieruchomosci")) == ["c2", "c1"]
    assert _ids(run(agent="bogdan")) == ["c4", "c3"]
    assert _ids(run(min_seconds=100)) == ["c3", "c1"]
    assert _ids(run(max_seconds=20)) == ["c4"]
    assert _ids(run(transcribed_only=True)) == ["c3"]
    # By department: its queue (c2 in finanse) or a topic of the department (FN: property tax).
    assert _ids(run(department="FN")) == ["c3", "c2", "c1"]
    since = parse_filters({"from": "2026-11-30", "to": "2026-12-02"})
    assert _ids(store.run_sync(lambda s: review.calls(s, since))) == ["c4", "c3", "c2"]


def test_bad_filters_are_refused_in_polish() -> None:
    bad = [({"from": "wczoraj"}, "RRRR-MM-DD"), ({"outcome": "x"}, "Wynik"),
           ({"min_seconds": "-1"}, "od 0"), ({"agent": "a" * 201}, "200")]  # fmt: skip
    for query, message in bad:
        with pytest.raises(InvalidInput, match=message):
            parse_filters(query)


async def test_counts_per_iso_week_and_month_in_warsaw(store: Store, review: Review) -> None:
    weeks = store.run_sync(lambda s: review.counts(s, Filters(), "week"))
    assert [(r["period"], r["topic"], r["calls"]) for r in weeks] == [
        ("2026-W48", "podatek-od-nieruchomosci", 1),
        ("2026-W49", "oplata-za-odpady", 1),
        ("2026-W49", "podatek-od-nieruchomosci", 1),
        ("2026-W49", "wycinka-drzew", 1),
    ]
    months = store.run_sync(lambda s: review.counts(s, Filters(), "month"))
    assert [(r["period"], r["topic"], r["calls"]) for r in months] == [
        ("2026-11", "podatek-od-nieruchomosci", 2),
        ("2026-12", "oplata-za-odpady", 1),
        ("2026-12", "wycinka-drzew", 1),
    ]
    assert months[0]["department"] == "FN" and months[0]["name"] == "Podatek od nieruchomości"


def test_csv_uses_semicolons_and_never_starts_a_cell_with_a_formula() -> None:
    text = as_csv([{"a": '=HYPERLINK("x")', "b": "Zażółć; gęślą"}, {"a": "+48600100200"}],
                  ["a", "b"])  # fmt: skip
    lines = text.split("\r\n")
    assert lines[0] == "a;b"
    assert lines[1] == '"\'=HYPERLINK(""x"")";"Zażółć; gęślą"'
    assert lines[2] == "'+48600100200;"


async def test_pages_and_exports_only_for_supervisors(store: Store, review: Review) -> None:
    app = web.Application(middlewares=[error_middleware(), fake_auth])
    app.add_routes(routes(review, store))
    async with TestClient(TestServer(app)) as client:
        for path in ("/api/review/calls", "/api/review/stats", "/api/review/calls.csv",
                     "/api/review/stats.csv", "/api/review/topics"):  # fmt: skip
            assert (await client.get(path)).status == 401, path
            assert (await client.get(path, headers=as_("agent"))).status == 403, path
        ok = await client.get("/api/review/stats", params={"period": "month"},
                              headers=as_("supervisor"))  # fmt: skip
        assert ok.status == 200 and len(await ok.json()) == 3
        bad = await client.get("/api/review/stats", params={"period": "rok"},
                               headers=as_("supervisor"))  # fmt: skip
        assert bad.status == 400
        csv_response = await client.get("/api/review/calls.csv", headers=as_("admin"))
        assert csv_response.status == 200
        assert csv_response.headers["Content-Type"].startswith("text/csv")
        body = (await csv_response.read()).decode("utf-8")
        assert body.startswith("\ufeffcall_id;entered_at;") and "c3" in body
        assert "'=HYPERLINK" in body
