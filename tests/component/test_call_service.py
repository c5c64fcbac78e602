"""CallService on SQLite and PostgreSQL: event rules, outages, queries, recordings."""

from __future__ import annotations

import asyncio
import hashlib
import sqlite3
import wave
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import psycopg
import pytest
from sqlalchemy.exc import DataError, OperationalError
from sqlalchemy.orm import Session

from cic import events as ev
from cic.calls import recording_files
from cic.calls.errors import InvalidQuery, RecordingFileMissing, StoreUnavailable
from cic.calls.service import NODE_LOST, SUMMARY_TOPIC, CallService
from cic.db import Store, make_engine, migrate

T = TypeVar("T")
T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
CID = "1764493200.17"
ANNA = "PJSIP/agent-anna"
ODD_CALLER_IDS = [
    '"Kowalski" <48600100200>',
    "$(reboot)",
    "'; DROP TABLE calls;--",
    "<script>alert('x')</script>",
    "O'Brien \\ back\\slash %s %% {0} ${EXTEN}",
    "Zażółć gęślą jaźń 🙂",
    "",
    "x" * 400,
    " leading and trailing ",
    "tab\there\nnewline",
]


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


class FakeBus:
    """Records what was published."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []

    async def publish(self, topic: str, message: dict[str, Any]) -> None:
        self.sent.append((topic, message))

    def types(self, topic: str = "call") -> list[str]:
        return [m["type"] for t, m in self.sent if t == topic]


class FlakyStore(Store):
    """A real store whose sessions fail with OperationalError while ``down`` is set."""

    down = False
    error: Exception | None = None

    def run_sync(self, fn: Callable[[Session], T]) -> T:
        if self.error is not None:
            raise self.error
        if self.down:
            raise OperationalError("SELECT 1", {}, Exception("connection refused"))
        return super().run_sync(fn)


@pytest.fixture
async def store(db_url: str) -> AsyncIterator[FlakyStore]:
    migrate(db_url)
    store = FlakyStore(db_url)
    yield store
    await store.close()


@pytest.fixture
def bus() -> FakeBus:
    return FakeBus()


@pytest.fixture
def service(store: FlakyStore, bus: FakeBus) -> CallService:
    return CallService(store, bus, retry_interval=0, recording_settle=0.3)  # type: ignore[arg-type]


def entered(call_id: str = CID, number: str = "48600100200", name: str = "Jan", t: float = 0):
    return ev.CallEntered(at(t), call_id, "PJSIP/trunk-1", number, name, "+48820000000")


def lifecycle(call_id: str = CID) -> list[ev.DomainEvent]:
    return [
        entered(call_id),
        ev.ConsentRecorded(at(5), call_id, "given"),
        ev.RecordingStarted(at(5), call_id, "/var/spool/asterisk/monitor/x.wav"),
        ev.CallRouted(at(6), call_id, "queue", "pierwsza-linia", "pierwsza linia"),
        ev.CallQueued(at(6), call_id, "pierwsza-linia", 1),
        ev.CallOffered(at(7), call_id, "pierwsza-linia", ANNA),
        ev.CallAnswered(at(12), call_id, "pierwsza-linia", ANNA, 6.0),
        ev.CallEnded(at(72), call_id, "16", 60.0),
    ]


async def test_a_whole_call_is_recorded_and_published(service: CallService, bus: FakeBus) -> None:
    for event in lifecycle():
        await service.apply(event)
    call = await service.get_call(CID)
    assert call is not None
    assert call["outcome"] == "answered"
    assert call["caller_number"] == "48600100200"
    assert call["entered_at"] == T0.isoformat()
    assert call["queued_at"] == at(6).isoformat()
    assert call["answered_at"] == at(12).isoformat()
    assert call["ended_at"] == at(72).isoformat()
    assert (call["queue"], call["agent"]) == ("pierwsza-linia", ANNA)
    assert (call["wait_seconds"], call["talk_seconds"]) == (6.0, 60.0)
    assert call["recording_consent"] == "given"
    assert call["routing_action"] == "queue" and call["routing_target"] == "pierwsza-linia"
    assert call["end_cause"] == "16" and call["fallback"] is False
    assert [e["type"] for e in call["timeline"]] == [type(e).__name__ for e in lifecycle()]
    assert call["timeline"][5]["data"] == {"queue": "pierwsza-linia", "agent": ANNA}
    assert bus.types("call") == [type(e).__name__ for e in lifecycle()]
    assert bus.sent[0] == ("call", entered().to_dict())
    summaries = [m for t, m in bus.sent if t == SUMMARY_TOPIC]
    assert len(summaries) == 8 and summaries[-1]["call"]["outcome"] == "answered"


@pytest.mark.parametrize("odd", ODD_CALLER_IDS)
async def test_odd_caller_ids_round_trip_verbatim(service: CallService, odd: str) -> None:
    await service.apply(entered(number=odd, name=odd))
    await service.apply(ev.CallEnded(at(3), CID, "16", 0.0))
    call = await service.get_call(CID)
    assert call is not None
    assert (call["caller_number"], call["caller_name"]) == (odd, odd)
    assert call["timeline"][0]["data"]["caller_name"] == odd
    assert [c["caller_name"] for c in await service.list_calls()] == [odd]


async def test_overlong_and_nul_caller_ids_are_cut_and_replaced(service: CallService) -> None:
    await service.apply(entered(number="1" * 450, name="a\x00b?", t=0))
    await service.apply(entered(call_id="2", name="x\udcff?", t=1))  # undecodable byte
    call = await service.get_call(CID)
    assert call is not None
    assert call["caller_number"] == "1" * 400
    assert call["caller_name"] == "a\ufffdb?"
    other = await service.get_call("2")
    assert other is not None and other["caller_name"] == "x\ufffd?"


async def test_caller_fields_arrive_after_the_queue_event(service: CallService) -> None:
    await service.apply(ev.CallQueued(at(6), CID, "pierwsza-linia", 1))
    await service.apply(entered())
    call = await service.get_call(CID)
    assert call is not None
    assert (call["caller_number"], call["caller_name"]) == ("48600100200", "Jan")
    assert call["entered_at"] == T0.isoformat() and call["queued_at"] == at(6).isoformat()


async def test_duplicates_add_nothing(service: CallService, bus: FakeBus) -> None:
    for event in lifecycle() + lifecycle():
        await service.apply(event)
    call = await service.get_call(CID)
    assert call is not None
    assert len(call["timeline"]) == len(lifecycle())
    assert len(bus.types("call")) == len(lifecycle())


async def test_same_type_and_time_with_other_data_is_kept(service: CallService) -> None:
    await service.apply(ev.CallOffered(at(7), CID, "pierwsza-linia", ANNA))
    await service.apply(ev.CallOffered(at(7), CID, "pierwsza-linia", "PJSIP/agent-jan"))
    call = await service.get_call(CID)
    assert call is not None and len(call["timeline"]) == 2


async def test_the_first_time_wins(service: CallService) -> None:
    await service.apply(entered(t=0))
    await service.apply(entered(number="999", name="Replay", t=30))
    await service.apply(ev.CallAnswered(at(12), CID, "q", ANNA, 6.0))
    await service.apply(ev.CallAnswered(at(40), CID, "q", "PJSIP/agent-jan", 30.0))
    await service.apply(ev.CallEnded(at(72), CID, "16", 60.0))
    await service.apply(ev.CallEnded(at(90), CID, "lost", 0.0))
    call = await service.get_call(CID)
    assert call is not None
    assert (call["entered_at"], call["caller_number"]) == (T0.isoformat(), "48600100200")
    assert (call["answered_at"], call["agent"]) == (at(12).isoformat(), ANNA)
    assert (call["ended_at"], call["end_cause"], call["talk_seconds"]) == (
        at(72).isoformat(),
        "16",
        60.0,
    )


ENDED = ev.CallEnded(at(9), CID, "16", 0.0)
ABANDONED = ev.CallAbandoned(at(8), CID, "q", 8.0)
MESSAGE = ev.MessageLeft(at(8), CID, "/m.wav")
ANSWERED = ev.CallAnswered(at(5), CID, "q", ANNA, 5.0)
CALLBACK = ev.CallbackRequested(at(8), CID, "17")


@pytest.mark.parametrize(
    ("events", "outcome"),
    [
        ([ENDED], "unanswered"),
        ([ABANDONED, ENDED], "abandoned"),
        ([MESSAGE, ENDED], "message"),
        ([ENDED, MESSAGE], "message"),
        ([ANSWERED, ABANDONED], "answered"),
        ([ANSWERED, ABANDONED, ENDED], "answered"),
        ([ENDED, ANSWERED], "answered"),
        ([ev.CallQueued(at(1), CID, "q", 1)], "in_progress"),
        ([CALLBACK, ENDED], "callback"),
        ([ENDED, CALLBACK], "callback"),
        ([ABANDONED, CALLBACK, ENDED], "callback"),
        ([CALLBACK, ANSWERED], "answered"),
    ],
)
async def test_outcomes(service: CallService, events: list[ev.DomainEvent], outcome: str) -> None:
    await service.apply(entered())
    for event in events:
        await service.apply(event)
    call = await service.get_call(CID)
    assert call is not None and call["outcome"] == outcome


async def test_fallback_and_agent_events(service: CallService, bus: FakeBus) -> None:
    await service.apply(ev.CallFallback(at(1), CID, "pierwsza-linia", "AGI niedostępne"))
    await service.apply(ev.AgentCallCompleted(at(80), ANNA, "pierwsza-linia", CID))
    await service.apply(ev.AgentDeviceChanged(at(80), ANNA, "NOT_INUSE"))  # no call: ignored
    call = await service.get_call(CID)
    assert call is not None
    assert call["fallback"] is True and call["routing_action"] == "fallback"
    assert call["routing_reason"] == "AGI niedostępne"
    assert [e["type"] for e in call["timeline"]] == ["CallFallback", "AgentCallCompleted"]
    assert bus.types("agent") == ["AgentCallCompleted"]


async def test_an_outage_loses_nothing_and_keeps_order(
    service: CallService, store: FlakyStore, bus: FakeBus
) -> None:
    await service.apply(entered())
    store.down = True
    for event in lifecycle()[1:]:
        await service.apply(event)  # must not raise
    assert len(service.backlog) == len(lifecycle()) - 1
    assert bus.types("call") == ["CallEntered"]
    with pytest.raises(StoreUnavailable):
        await service.get_call(CID)
    assert await service.flush() is False
    store.down = False
    await service.apply(ev.AgentCallCompleted(at(80), ANNA, "pierwsza-linia", CID))
    assert len(service.backlog) == 0
    call = await service.get_call(CID)
    assert call is not None and call["outcome"] == "answered"
    expected = [type(e).__name__ for e in lifecycle()] + ["AgentCallCompleted"]
    assert [e["type"] for e in call["timeline"]] == expected
    assert bus.types("call") == [type(e).__name__ for e in lifecycle()]


async def test_flush_retries_after_an_outage(service: CallService, store: FlakyStore) -> None:
    store.down = True
    for event in lifecycle():
        await service.apply(event)
    store.down = False
    assert await service.flush() is True
    call = await service.get_call(CID)
    assert call is not None and call["outcome"] == "answered" and len(call["timeline"]) == 8


async def test_apply_waits_out_the_retry_interval(store: FlakyStore, bus: FakeBus) -> None:
    service = CallService(store, bus, retry_interval=60)  # type: ignore[arg-type]
    store.down = True
    await service.apply(entered())
    store.down = False
    await service.apply(ev.CallEnded(at(9), CID, "16", 0.0))
    assert len(service.backlog) == 2  # not retried yet: the last failure was just now
    assert await service.flush() is True


async def test_the_backlog_is_bounded(store: FlakyStore, bus: FakeBus) -> None:
    service = CallService(store, bus, backlog_limit=3, retry_interval=0)  # type: ignore[arg-type]
    store.down = True
    for event in lifecycle()[:5]:
        await service.apply(event)
    assert len(service.backlog) == 3 and service.backlog.dropped == 2
    store.down = False
    await service.flush()
    call = await service.get_call(CID)
    assert call is not None
    assert [e["type"] for e in call["timeline"]] == ["RecordingStarted", "CallRouted", "CallQueued"]


async def test_a_poison_write_is_dropped_after_retries(
    service: CallService, store: FlakyStore
) -> None:
    store.error = DataError("INSERT", {}, Exception("value too long"))
    await service.apply(entered())
    store.error = None
    await service.apply(ev.CallEnded(at(9), CID, "16", 0.0))
    assert len(service.backlog) == 0 and service.backlog.dropped == 1
    call = await service.get_call(CID)
    assert call is not None and call["outcome"] == "unanswered"


async def test_a_dead_postgresql_port_is_an_outage(bus: FakeBus) -> None:
    store = Store("postgresql://postgres@127.0.0.1:1/nothing")
    service = CallService(store, bus, retry_interval=0)
    for event in lifecycle():
        await service.apply(event)
    assert await service.flush() is False
    assert len(service.backlog) == len(lifecycle()) and bus.sent == []
    with pytest.raises(StoreUnavailable):
        await service.list_calls()
    await store.close()


async def test_a_locked_database_is_an_outage(db_url: str, bus: FakeBus) -> None:
    migrate(db_url)
    if db_url.startswith("sqlite"):
        store = Store(make_engine(db_url, busy_timeout=0.05))
        holder: Any = sqlite3.connect(db_url.removeprefix("sqlite:///"), isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
    else:
        store = Store(db_url + "?options=-c%20lock_timeout%3D100")
        holder = psycopg.connect(db_url)
        holder.execute("LOCK TABLE calls IN ACCESS EXCLUSIVE MODE")
    service = CallService(store, bus, retry_interval=0)
    try:
        await service.apply(entered())
        await service.apply(ev.CallEnded(at(9), CID, "16", 0.0))
        assert len(service.backlog) == 2
    finally:
        holder.rollback() if not db_url.startswith("sqlite") else holder.execute("ROLLBACK")
        holder.close()
    assert await service.flush() is True
    call = await service.get_call(CID)
    assert call is not None and call["outcome"] == "unanswered"
    await store.close()


async def test_list_calls_pages_newest_first(service: CallService) -> None:
    for n in range(5):
        await service.apply(entered(call_id=f"c{n}", t=n * 60))
    assert [c["call_id"] for c in await service.list_calls()] == ["c4", "c3", "c2", "c1", "c0"]
    page = await service.list_calls(limit=2, offset=1)
    assert [c["call_id"] for c in page] == ["c3", "c2"]
    since = await service.list_calls(since=at(120))
    assert [c["call_id"] for c in since] == ["c4", "c3", "c2"]
    for bad in ({"limit": 0}, {"limit": 10_000}, {"offset": -1}):
        with pytest.raises(InvalidQuery):
            await service.list_calls(**bad)
    assert await service.get_call("nope") is None


async def test_last_agent(service: CallService) -> None:
    async def call(cid: str, number: str, agent: str | None, t: float) -> None:
        await service.apply(entered(call_id=cid, number=number, t=t))
        if agent:
            await service.apply(ev.CallAnswered(at(t + 5), cid, "q", agent, 5.0))
        await service.apply(ev.CallEnded(at(t + 50), cid, "16", 45.0))

    await call("a", "48600100200", "PJSIP/agent-jan", 0)
    await call("b", "48600100200", ANNA, 3600)
    await call("c", "48600100200", None, 7200)  # unanswered later call
    await call("d", "48700000000", "PJSIP/agent-ewa", 7300)
    await call("e", "", "PJSIP/agent-ewa", 7400)
    await call("f", "anonymous", "PJSIP/agent-ewa", 7500)
    assert await service.last_agent("48600100200", since=T0) == ANNA
    assert await service.last_agent("48600100200", since=at(3700)) is None
    assert await service.last_agent("48700000000", since=T0) == "PJSIP/agent-ewa"
    assert await service.last_agent("", since=T0) is None
    assert await service.last_agent("anonymous", since=T0) is None
    assert await service.last_agent("'; DROP TABLE calls;--", since=T0) is None


async def test_reconcile_ends_calls_the_pbx_forgot(service: CallService, bus: FakeBus) -> None:
    await service.apply(entered(call_id="waiting"))
    await service.apply(entered(call_id="talking"))
    await service.apply(ev.CallAnswered(at(5), "talking", "q", ANNA, 5.0))
    await service.apply(entered(call_id="live"))
    await service.apply(entered(call_id="done"))
    await service.apply(ev.CallEnded(at(9), "done", "16", 0.0))
    await service.apply(entered(call_id="later", t=600))
    await service.reconcile(frozenset({"live"}), at(300))
    calls = {c["call_id"]: c for c in await service.list_calls()}
    assert (calls["waiting"]["outcome"], calls["waiting"]["ended_at"]) == (
        "lost",
        at(300).isoformat(),
    )
    assert (calls["talking"]["outcome"], calls["talking"]["ended_at"]) == (
        "answered",
        at(300).isoformat(),
    )
    assert (calls["live"]["outcome"], calls["live"]["ended_at"]) == ("in_progress", None)
    assert (calls["done"]["outcome"], calls["done"]["ended_at"]) == (
        "unanswered",
        at(9).isoformat(),
    )
    assert calls["later"]["ended_at"] is None
    waiting = await service.get_call("waiting")
    assert waiting is not None and waiting["timeline"][-1]["type"] == "CallReconciled"
    await service.apply(ev.CallEnded(at(400), "waiting", "16", 0.0))  # late real end
    waiting = await service.get_call("waiting")
    assert waiting is not None and waiting["outcome"] == "unanswered"
    assert waiting["ended_at"] == at(300).isoformat()
    assert sum(1 for t, _ in bus.sent if t == SUMMARY_TOPIC) >= 2


def write_wav(path: Path, seconds: float, rate: int = 8000) -> bytes:
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(b"\x01\x00" * int(rate * seconds))
    return path.read_bytes()


async def test_attach_recording(service: CallService, bus: FakeBus, tmp_path: Path) -> None:
    for event in lifecycle():
        await service.apply(event)
    data = write_wav(tmp_path / "rec.wav", 2.5)
    info = await service.attach_recording(CID, tmp_path / "rec.wav")
    assert info.bytes == len(data) and info.duration_seconds == 2.5
    assert info.sha256 == hashlib.sha256(data).hexdigest()
    await service.attach_recording(CID, tmp_path / "rec.wav")  # again: updated, not doubled
    call = await service.get_call(CID)
    assert call is not None and len(call["recordings"]) == 1
    rec = call["recordings"][0]
    assert (rec["path"], rec["kind"], rec["bytes"]) == (
        str(tmp_path / "rec.wav"),
        "call",
        len(data),
    )
    assert "RecordingAttached" in [e["type"] for e in call["timeline"]]
    assert "RecordingAttached" in bus.types("call")
    with pytest.raises(RecordingFileMissing) as missing:
        await service.attach_recording(CID, tmp_path / "none.wav")
    assert missing.value.status == 404 and missing.value.error_id == "recording_file_missing"
    with pytest.raises(InvalidQuery):
        await service.attach_recording(CID, tmp_path / "rec.wav", kind="video")


async def test_inspect_waits_for_the_writer_to_finish(tmp_path: Path) -> None:
    path = tmp_path / "growing.wav"
    full = write_wav(path, 1.0)
    path.write_bytes(full[:1000])

    async def writer() -> None:
        with path.open("ab") as f:
            for start in range(1000, len(full), 2000):
                await asyncio.sleep(0.05)
                f.write(full[start : start + 2000])
                f.flush()

    task = asyncio.create_task(writer())
    info = await recording_files.inspect(path, settle_timeout=5, interval=0.15)
    await task
    assert info.bytes == len(full) and info.duration_seconds == 1.0


def test_duration_fallbacks(tmp_path: Path) -> None:
    raw = tmp_path / "bad.wav"
    raw.write_bytes(b"not a wav header" + b"\x00" * 15984)
    assert recording_files.inspect_now(raw).duration_seconds == 1.0
    unfinished = tmp_path / "unfinished.wav"
    data = bytearray(write_wav(unfinished, 2.0))
    data[40:44] = b"\x00\x00\x00\x00"  # data chunk size never written
    unfinished.write_bytes(bytes(data))
    assert recording_files.inspect_now(unfinished).duration_seconds == 2.0
    gsm = tmp_path / "x.gsm"
    gsm.write_bytes(b"\x00" * 3300)
    assert recording_files.inspect_now(gsm).duration_seconds == 2.0


async def test_a_node_reconciles_only_its_own_calls(store: FlakyStore, bus: FakeBus) -> None:
    """Two nodes behind Kamailio share the register: node A's resync (or A being lost) must
    not end node B's live calls; a late real end still gives the real cause."""
    node_a = CallService(store, bus, retry_interval=0, node="node-a")  # type: ignore[arg-type]
    for call_id in ("node-a-1.1", "node-a-1.2", "node-b-1.1", "node-ab-1.1"):
        await node_a.apply(entered(call_id))
    await node_a.apply(ev.CallEnded(at(3), "node-a-1.2", "16", 0.0))
    await node_a.reconcile(frozenset(), at(60), NODE_LOST)
    calls = {c["call_id"]: c for c in await node_a.list_calls(limit=10)}
    assert (calls["node-a-1.1"]["ended_at"], calls["node-a-1.1"]["end_cause"]) == (
        at(60).isoformat(),
        NODE_LOST,
    )
    assert calls["node-a-1.2"]["end_cause"] == "16"
    assert calls["node-b-1.1"]["ended_at"] is None
    assert calls["node-ab-1.1"]["ended_at"] is None  # another node whose name starts alike
    await node_a.apply(ev.CallEnded(at(90), "node-a-1.1", "16", 0.0))
    late = await node_a.get_call("node-a-1.1")
    assert late is not None and (late["end_cause"], late["ended_at"]) == ("16", at(60).isoformat())
