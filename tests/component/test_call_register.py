"""The call register on SQLite and PostgreSQL: filters (days in Warsaw time, number digits,
name, agent, queue, outcome, topic, recording, transfer, case, transcript words), paging with
a total, a transferred call's legs and Polish timeline, odd caller ids shown escaped, who may
read it (refusals and reads audited) and parameters refused in Polish."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select
from sqlalchemy.orm import Session

from cic import events as ev
from cic import polish_dates as dates
from cic.auth.models import AuditEntry
from cic.callbacks.models import STATUSES as CALLBACK_STATUSES
from cic.calls import labels
from cic.calls.models import CONSENTS, OUTCOMES, Call, CallEvent, CallWrapup, Recording
from cic.cases.models import ContactReport, ContactReportCall
from cic.db import Store
from cic.recordings.models import CallTopic, CallTranscript
from cic.recordings.service import RecordingsService
from cic.register.listing import CallRegister
from cic.register.service import RegisterService
from cic.register.views import routes
from cic.review.review import Review
from cic.review.search import index_transcript
from cic.topics.taxonomy import load_taxonomy
from cic.transfers.machine import STATES as TRANSFER_STATES
from cic.web.errors import error_middleware
from tests.component.test_kb_views import as_, fake_auth

Client = TestClient[Any, Any]
ZONE = "Europe/Warsaw"
T = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
# 30 Nov 23:30 UTC is already 1 Dec 00:30 in Warsaw: inside "od 2026-12-01".
LATE = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
OLD = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)
EVIL_NAME = '<script>alert("x")</script>'
TEXT = "Dzień dobry, dzwonię w sprawie podatku od nieruchomości.\nProszę podać numer."
SEGMENTS = [{"speaker": "resident", "words": []}, {"speaker": "agent", "words": []}]


def _event(call_id: str, seconds: int, type_: str, **data: Any) -> CallEvent:
    return CallEvent(call_id=call_id, at=T + timedelta(seconds=seconds), type=type_, data=data)


def seed(session: Session, root: Path) -> None:
    def call(call_id: str, at: datetime, **kw: Any) -> None:
        session.add(Call(call_id=call_id, entered_at=at, **kw))

    call("c1", T, caller_number="+48600100200", caller_name="Jan Testowy", queue="pierwsza-linia",
         agent="PJSIP/agent-anna", outcome="answered", wait_seconds=12.0, talk_seconds=95.0,
         recording_consent="given", end_cause="Normal Clearing")  # fmt: skip
    call("c2", T + timedelta(hours=1), caller_number="48500111222", queue="pierwsza-linia",
         agent="PJSIP/agent-anna", outcome="answered", wait_seconds=5.0,
         talk_seconds=240.0)  # fmt: skip
    call("c3", T + timedelta(hours=2), caller_number="anonymous", caller_name=EVIL_NAME,
         queue="finanse", outcome="abandoned", wait_seconds=61.0)  # fmt: skip
    call("c4", T + timedelta(hours=3), caller_number="600100300", queue="finanse",
         agent="PJSIP/agent-bogdan", outcome="answered", talk_seconds=30.0)  # fmt: skip
    call("c5", LATE, caller_number="../../etc/passwd", outcome="unanswered")
    for i in range(55):
        call(f"p{i:02d}", OLD + timedelta(minutes=i), caller_number=f"48500{i:06d}",
             queue="pierwsza-linia", outcome="lost")  # fmt: skip
    session.flush()
    (root / "c1.wav").write_bytes(b"RIFF0000WAVE")
    session.add(Recording(call_id="c1", path=str(root / "c1.wav"), bytes=12, duration_seconds=95.0,
                          sha256="0" * 64, kind="call"))  # fmt: skip
    session.add(CallTranscript(call_id="c1", segments=SEGMENTS, text=TEXT, findings={}))
    index_transcript(session, "c1", TEXT, SEGMENTS)
    session.add(CallTopic(call_id="c1", topic_id="podatek-od-nieruchomosci", source="auto",
                          matched=[]))  # fmt: skip
    session.add(CallWrapup(call_id="c4", agent="PJSIP/agent-bogdan", outcome="sprawa załatwiona",
                           topic="wywóz odpadów", note="", saved_by="bogdan"))  # fmt: skip
    session.add_all([
        _event("c2", 3600, "CallEntered", caller_number="48500111222", caller_name="",
               dialled="100"),
        _event("c2", 3601, "CallQueued", queue="pierwsza-linia", position=1),
        _event("c2", 3606, "CallAnswered", queue="pierwsza-linia", agent="PJSIP/agent-anna",
               wait_seconds=5.0),
        _event("c2", 3700, "ConsultRinging", transferer="PJSIP/agent-anna",
               target="PJSIP/agent-bogdan", channel="x"),
        _event("c2", 3705, "ConsultAnswered", transferer="PJSIP/agent-anna",
               target="PJSIP/agent-bogdan"),
        _event("c2", 3720, "CallTransferred", kind="attended", from_agent="PJSIP/agent-anna",
               to_agent="PJSIP/agent-bogdan", target=""),
        _event("c2", 3846, "CallEnded", cause="Normal Clearing", talk_seconds=240.0),
    ])  # fmt: skip
    report = ContactReport(topic="Wywóz odpadów", created_by="bogdan")
    session.add(report)
    session.flush()
    session.add(ContactReportCall(report_id=report.id, call_id="c4", linked_by="bogdan"))


@pytest.fixture
async def store(db_url: str, tmp_path: Path) -> AsyncIterator[Store]:
    store = Store(db_url)
    store.migrate()
    store.run_sync(lambda s: seed(s, tmp_path))
    yield store
    await store.close()


@pytest.fixture
async def client(store: Store, tmp_path: Path) -> AsyncIterator[Client]:
    recordings = RecordingsService(store, tmp_path)

    async def links(call_ids: list[str], _actor: Any) -> dict[str, Any]:
        reports = [{"id": 7, "topic": "Wywóz odpadów", "status_label": "nowe"}]
        return {"reports": reports if "c4" in call_ids else [], "cases": []}

    register = CallRegister(Review(load_taxonomy()), ZONE)
    service = RegisterService(store, register, recordings.transcript, links)
    app = web.Application(middlewares=[error_middleware(), fake_auth])
    app.add_routes(routes(service))
    async with TestClient(TestServer(app)) as client:
        yield client


async def _ids(client: Client, **query: str) -> list[str]:
    response = await client.get("/api/rejestr/polaczenia", params=query, headers=as_("supervisor"))
    assert response.status == 200, await response.text()
    return [row["call_id"] for row in (await response.json())["rows"]]


async def test_filters(client: Client) -> None:
    first = ["c4", "c3", "c2", "c1", "c5"]
    assert (await _ids(client, od="2026-12-01", do="2026-12-01")) == first
    assert await _ids(client, do="2026-11-30") == [f"p{i:02d}" for i in range(54, 4, -1)]
    assert await _ids(client, numer="600100") == ["c4", "c1"]
    assert await _ids(client, numer="+48 600-100-200") == ["c1"]
    assert await _ids(client, rozmowca="testowy") == ["c1"]
    assert await _ids(client, konsultant="bogdan") == ["c4"]
    assert await _ids(client, kolejka="finanse") == ["c4", "c3"]
    assert await _ids(client, wynik="abandoned") == ["c3"]
    assert await _ids(client, temat="podatek-od-nieruchomosci") == ["c1"]
    assert await _ids(client, temat="wywóz odpadów") == ["c4"]
    assert await _ids(client, nagranie="tak") == ["c1"]
    assert await _ids(client, przekazane="tak") == ["c2"]
    assert await _ids(client, sprawa="tak") == ["c4"]
    assert await _ids(client, tekst="nieruchomosc") == ["c1"]
    assert await _ids(client, tekst="nieruchomość", wynik="lost") == []


async def test_paging_with_a_total(client: Client) -> None:
    headers = as_("supervisor")
    first = await (await client.get("/api/rejestr/polaczenia", headers=headers)).json()
    assert (first["total"], first["page"], first["pages"], len(first["rows"])) == (60, 1, 2, 50)
    assert first["rows"][0]["call_id"] == "c4"
    second = await (
        await client.get("/api/rejestr/polaczenia", params={"strona": "2"}, headers=headers)
    ).json()
    assert [r["call_id"] for r in second["rows"]] == [f"p{i:02d}" for i in range(9, -1, -1)]
    page = await (await client.get("/polaczenia", params={"wynik": "lost"}, headers=headers)).text()
    assert "Znalezione połączenia: 55 (strona 1 z 2)" in page
    assert 'href="/polaczenia?wynik=lost&amp;strona=2"' in page


async def test_rows_carry_polish_labels_and_flags(client: Client) -> None:
    response = await client.get("/api/rejestr/polaczenia", headers=as_("admin"))
    rows = {r["call_id"]: r for r in (await response.json())["rows"]}
    c1 = rows["c1"]
    assert (c1["outcome"], c1["outcome_label"], c1["outcome_badge"]) == (
        "answered", "odebrane", "badge-ok",
    )  # fmt: skip
    assert c1["entered_at_pl"] == "01.12.2026 10:00"
    assert c1["topics"] == ["Podatek od nieruchomości"]
    assert (c1["recorded"], c1["transcribed"], c1["linked"]) == (True, True, False)
    assert rows["c4"]["linked"] and rows["c4"]["topics"] == ["wywóz odpadów"]
    assert rows["c3"]["outcome_label"] == "porzucone" and rows["c2"]["transferred"]


async def test_transferred_call_has_legs_and_a_polish_timeline(
    client: Client, store: Store
) -> None:
    response = await client.get("/api/rejestr/polaczenia/c2", headers=as_("supervisor"))
    call = await response.json()
    legs = [(leg["queue"], leg["agent_name"], leg["end_label"], leg["via_label"])
            for leg in call["legs"]]  # fmt: skip
    assert legs == [
        ("pierwsza-linia", "anna", "przekazane z zapowiedzią", ""),
        ("", "bogdan", "zakończone", "z zapowiedzią"),
    ]
    assert call["legs"][0]["consults"][0]["result_label"] == "przekazane"
    told = [(e["at_pl"], e["label"], e["text"]) for e in call["timeline"]]
    assert told[0] == (
        "01.12.2026 11:00:00",
        "połączenie przychodzące",
        "od 48500111222 na numer 100",
    )
    assert told[2] == (
        "01.12.2026 11:00:06",
        "odebrane",
        "anna, kolejka pierwsza-linia, czekał 0:05",
    )
    assert told[5] == ("01.12.2026 11:02:00", "przekazane", "z zapowiedzią: anna → bogdan")
    assert told[6][2] == "zwykłe rozłączenie, rozmowa 4:00"
    page = await (await client.get("/polaczenia/c2", headers=as_("supervisor"))).text()
    assert "przekazane z zapowiedzią" in page and "Brak nagrania tej rozmowy." in page
    reads = store.run_sync(lambda s: s.scalars(
        select(AuditEntry.target).where(AuditEntry.action == "call_read")
    ).all())  # fmt: skip
    assert reads == ["c2", "c2"]


async def test_call_with_recording_transcript_and_report(client: Client, store: Store) -> None:
    page = await (await client.get("/polaczenia/c1", headers=as_("supervisor"))).text()
    assert 'src="/api/calls/c1/recording"' in page
    assert "<strong>Mieszkaniec:</strong> Dzień dobry" in page
    assert "zgoda na nagrywanie" in page and "zwykłe rozłączenie" in page
    actions = store.run_sync(lambda s: s.scalars(select(AuditEntry.action)).all())
    assert sorted(actions) == ["call_read", "transcript_read"]  # playback is audited on play
    c4 = await (await client.get("/polaczenia/c4", headers=as_("supervisor"))).text()
    assert "Zgłoszenie nr" in c4 and "Wywóz odpadów" in c4


async def test_odd_caller_ids_are_shown_escaped(client: Client) -> None:
    page = await (await client.get("/polaczenia", headers=as_("supervisor"))).text()
    assert EVIL_NAME not in page and "&lt;script&gt;" in page
    assert "../../etc/passwd" in page  # a number as the PBX gave it, shown as text
    detail = await client.get("/polaczenia/c3", headers=as_("supervisor"))
    assert detail.status == 200 and EVIL_NAME not in await detail.text()


@pytest.mark.parametrize("role", [None, "agent", "specialist"])
async def test_only_supervisors_and_admins(client: Client, store: Store, role: str | None) -> None:
    headers = as_(role) if role else {}
    for path in ("/polaczenia", "/polaczenia/c1", "/api/rejestr/polaczenia",
                 "/api/rejestr/polaczenia/c1"):  # fmt: skip
        response = await client.get(path, headers=headers)
        assert response.status == (401 if role is None else 403), path
    assert not store.run_sync(lambda s: s.scalars(
        select(AuditEntry).where(AuditEntry.action == "call_read")
    ).all())  # fmt: skip


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ({"od": "01.12.2026"}, "Od: data RRRR-MM-DD"),
        ({"numer": "../../etc/passwd"}, "Numer: same cyfry"),
        ({"numer": "1' OR '1'='1"}, "Numer: same cyfry"),
        ({"numer": "%"}, "Numer: same cyfry"),
        ({"rozmowca": "x" * 300}, "Rozmówca: najwyżej 100 znaków (jest 300)"),
        ({"tekst": "ą" * 300}, "najwyżej 200 znaków"),
        ({"wynik": "answered; DROP TABLE calls"}, "Wynik"),
        ({"strona": "0"}, "Strona"),
        ({"strona": "-1"}, "Strona"),
    ],
)
async def test_bad_parameters_are_a_polish_400(
    client: Client, query: dict[str, str], words: str
) -> None:
    response = await client.get("/api/rejestr/polaczenia", params=query, headers=as_("admin"))
    assert response.status == 400
    assert words in (await response.json())["message"]
    page = await client.get("/polaczenia", params=query, headers=as_("admin"))
    assert page.status == 400
    assert '<p class="error" role="alert">' in await page.text()


async def test_unknown_and_malformed_call_ids_are_404(client: Client) -> None:
    for call_id in ("nie-ma", "..", "a%2F..%2Fb"):
        response = await client.get(f"/api/rejestr/polaczenia/{call_id}", headers=as_("admin"))
        assert response.status == 404, call_id


def test_labels_and_dates_in_polish() -> None:
    assert [labels.outcome(o) for o in ("answered", "lost", "callback")] == [
        "odebrane", "przerwane", "prośba o oddzwonienie",
    ]  # fmt: skip
    assert labels.reason("returning_caller:PJSIP/agent-anna") == (
        "powracający rozmówca (PJSIP/agent-anna)"
    )
    assert labels.end_cause("USER BUSY") == "zajęte"
    assert labels.event("<b>Nowe</b>") == "&lt;b&gt;Nowe&lt;/b&gt;"  # unknown: the code, escaped
    assert labels.callback_status("retry") == "ponowna próba"
    assert labels.transfer_state("consulting") == "konsultacja trwa"
    summer = datetime(2026, 7, 1, 22, 5, 9, tzinfo=UTC)
    assert dates.pl_datetime(summer) == "02.07.2026 00:05"
    assert dates.pl_datetime("2026-12-31T23:00:00+00:00", seconds=True) == "01.01.2027 00:00:00"
    assert dates.pl_seconds(3725) == "1:02:05" and dates.pl_datetime(None) == "–"


def test_the_js_helper_has_the_same_outcome_labels() -> None:
    script = (Path(__file__).resolve().parents[2] / "web/static/js/pl_format.js").read_text()
    block = script[script.index("const OUTCOMES = {") : script.index("};")]
    pairs = dict(re.findall(r'(\w+): "([^"]+)"', block))
    assert pairs == dict(labels.OUTCOMES)


def test_every_code_has_a_polish_label() -> None:
    timeline_types = {
        cls.__name__
        for cls in vars(ev).values()
        if isinstance(cls, type) and issubclass(cls, ev.DomainEvent) and cls.topic == "call"
    } | {"RecordingAttached", "CallReconciled"}  # written by the call service itself
    assert timeline_types - set(labels.EVENTS) == set()
    assert set(OUTCOMES) == set(labels.OUTCOMES) == set(labels.OUTCOME_BADGES)
    assert set(CONSENTS) == set(labels.CONSENTS)
    assert set(CALLBACK_STATUSES) == set(labels.CALLBACK_STATUSES)
    assert set(TRANSFER_STATES) == set(labels.TRANSFER_STATES)
