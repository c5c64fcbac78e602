"""The AMI tracker, fed with AMI event fixtures.

Fixture format (``tests/fixtures/ami/*.json``; recorded ones and ``synthetic_*`` alike)::

    {
      "scenario": "queue_answered",
      "description": "...",                          (optional)
      "events": [
        {"Event": "QueueCallerJoin", "Timestamp": "1795856406.300000", ...},   an AMI event,
        {"_control": "begin_resync"},                every value a string, exactly as Asterisk
        {"_control": "end_resync"},                  sends it; or a control item
        ...
      ],
      "expect": [                                    (optional) must appear in this order;
        {"type": "CallAnswered", "call_id": "...", "wait_seconds": 4.0},      other events may
        ...                                          come between. Only the fields given are
      ],                                             compared: datetimes as ISO strings,
                                                     numbers within 0.01
      "expect_counts": {"CallAnswered": 1, "*": 15}, (optional) exact counts per type, '*' = all
      "expect_live_calls": [],                       (optional) live call ids after the replay
      "expect_rejected": 0                           (optional) events rejected as malformed
    }

Every fixture is replayed by the generic tests (no tracker bug, the expectations above, and
idempotence: each event fed twice gives the same result as once). The scenario tests below
check the synthetic fixtures event by event.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from cic.asterisk import tracker_calls
from cic.asterisk.tracker import CALL_STATES, Tracker
from cic.asterisk.tracker_parse import Malformed, clock_duration, interface_of, timestamp
from cic.events import DomainEvent

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ami"
ALL_FIXTURES = sorted(FIXTURES.glob("*.json"))
QUEUE = "pierwsza-linia"
T0 = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)  # the synthetic fixtures' time origin


# --------------------------------------------------------------------------- helpers


def load(name: str | Path) -> dict[str, Any]:
    """A fixture by file name (``synthetic_queue_answered``) or path."""
    path = name if isinstance(name, Path) else FIXTURES / f"{name}.json"
    doc: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return doc


def step(tracker: Tracker, item: Mapping[str, str]) -> list[DomainEvent]:
    """Feed one fixture item (AMI event or control item) to ``tracker``."""
    control = item.get("_control")
    if control == "begin_resync":
        tracker.begin_resync()
        return []
    if control == "end_resync":
        return tracker.end_resync()
    if control is not None:
        raise AssertionError(f"unknown control item {control!r}")
    return tracker.feed(item)


def replay(
    items: Iterable[Mapping[str, str]], tracker: Tracker | None = None, *, times: int = 1
) -> tuple[Tracker, list[DomainEvent]]:
    """Feed every item ``times`` times in a row; return the tracker and all events produced."""
    tracker = tracker or Tracker()
    produced: list[DomainEvent] = []
    for item in items:
        for _ in range(times if "_control" not in item else 1):
            produced.extend(step(tracker, item))
    return tracker, produced


def matches(event: DomainEvent, expected: Mapping[str, Any]) -> bool:
    """True when ``event`` has every field given in ``expected`` (see module docstring)."""
    actual = event.to_dict()
    for key, want in expected.items():
        if key not in actual:
            return False
        got = actual[key]
        if isinstance(want, (int, float)) and not isinstance(want, bool):
            if isinstance(got, bool) or not isinstance(got, (int, float)):
                return False
            if abs(got - want) > 0.01:
                return False
        elif got != want:
            return False
    return True


def assert_in_order(produced: list[DomainEvent], expected: list[Mapping[str, Any]]) -> None:
    """Each expected event appears in ``produced``, in order (others may come between)."""
    position = 0
    for want in expected:
        while position < len(produced) and not matches(produced[position], want):
            position += 1
        if position == len(produced):
            listing = "\n".join(f"  {e.to_dict()}" for e in produced)
            raise AssertionError(f"expected, in order, {want}\nproduced:\n{listing}")
        position += 1


def types(produced: Iterable[DomainEvent], topic: str | None = None) -> list[str]:
    """Event type names, optionally only those on one bus topic ('call' or 'agent')."""
    return [type(e).__name__ for e in produced if topic is None or e.topic == topic]


def of_type(produced: Iterable[DomainEvent], name: str) -> list[DomainEvent]:
    return [e for e in produced if type(e).__name__ == name]


def feed_until(
    tracker: Tracker, items: list[dict[str, str]], event: str, nth: int = 1
) -> tuple[list[DomainEvent], list[dict[str, str]]]:
    """Feed items up to and including the ``nth`` AMI event named ``event``; return the rest."""
    produced: list[DomainEvent] = []
    seen = 0
    for index, item in enumerate(items):
        produced.extend(step(tracker, item))
        if item.get("Event") == event:
            seen += 1
            if seen == nth:
                return produced, items[index + 1 :]
    raise AssertionError(f"fixture has no {nth}. {event}")


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


# --------------------------------------------------------------------------- every fixture


def test_fixture_directory_is_not_empty() -> None:
    assert len([p for p in ALL_FIXTURES if p.name.startswith("synthetic_")]) >= 8


@pytest.mark.parametrize("path", ALL_FIXTURES, ids=lambda p: p.stem)
def test_fixture_is_well_formed(path: Path) -> None:
    doc = load(path)
    assert isinstance(doc.get("scenario"), str) and doc["scenario"]
    assert isinstance(doc.get("events"), list) and doc["events"]
    for item in doc["events"]:
        assert isinstance(item, dict)
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in item.items()), item


@pytest.mark.parametrize("path", ALL_FIXTURES, ids=lambda p: p.stem)
def test_fixture_replay_meets_its_expectations(path: Path) -> None:
    doc = load(path)
    tracker, produced = replay(doc["events"])
    assert tracker.internal_errors == 0
    assert_in_order(produced, doc.get("expect", []))
    for name, wanted in doc.get("expect_counts", {}).items():
        got = len(produced) if name == "*" else len(of_type(produced, name))
        assert got == wanted, f"{name}: {got} produced, {wanted} expected"
    if "expect_live_calls" in doc:
        assert tracker.live_call_ids() == frozenset(doc["expect_live_calls"])
    if "expect_rejected" in doc:
        assert tracker.rejected == doc["expect_rejected"]
    for event in produced:
        assert event.at.tzinfo is not None and event.at.utcoffset() == timedelta(0)


@pytest.mark.parametrize("path", ALL_FIXTURES, ids=lambda p: p.stem)
def test_fixture_replayed_with_every_event_duplicated_gives_the_same_result(path: Path) -> None:
    events = load(path)["events"]
    once, produced_once = replay(events)
    twice, produced_twice = replay(events, times=2)
    assert [e.to_dict() for e in produced_twice] == [e.to_dict() for e in produced_once]
    assert twice.snapshot() == once.snapshot()
    assert twice.internal_errors == 0


# --------------------------------------------------------------------------- scenarios


def test_queue_answered_events_in_order_with_fields() -> None:
    tracker, produced = replay(load("synthetic_queue_answered")["events"])
    call_id = "1795856400.10"
    assert types(produced, "call") == [
        "CallEntered",
        "ConsentRecorded",
        "RecordingStarted",
        "CallRouted",
        "CallQueued",
        "CallOffered",
        "CallAnswered",
        "CallEnded",
    ]
    entered, answered, ended = (
        of_type(produced, "CallEntered")[0],
        of_type(produced, "CallAnswered")[0],
        of_type(produced, "CallEnded")[0],
    )
    assert entered.to_dict() == {
        "type": "CallEntered",
        "at": at(0.06).isoformat(),
        "call_id": call_id,
        "channel": "PJSIP/residents-00000004",
        "caller_number": "48500100200",
        "caller_name": "Jan Testowy",
        "dialled": "48225550100",
    }
    assert answered.to_dict() == {
        "type": "CallAnswered",
        "at": at(10.13).isoformat(),
        "call_id": call_id,
        "queue": QUEUE,
        "agent": "PJSIP/agent-anna",
        "wait_seconds": 4.0,  # Asterisk's HoldTime, not our 3.83 s
    }
    assert ended.to_dict()["cause"] == "Normal Clearing"
    assert ended.to_dict()["talk_seconds"] == pytest.approx(105.02 - 10.13)
    completed = of_type(produced, "AgentCallCompleted")
    assert [e.to_dict()["interface"] for e in completed] == ["PJSIP/agent-anna"]
    assert produced.index(completed[0]) < produced.index(ended)
    assert tracker.live_call_ids() == frozenset()


def test_queue_answered_snapshot_follows_the_call() -> None:
    items = load("synthetic_queue_answered")["events"]
    tracker = Tracker()
    call_id = "1795856400.10"

    _, rest = feed_until(tracker, items, "UserEvent")
    call = tracker.snapshot().calls[call_id]
    assert (call.state, call.queue, call.agent, call.entered_at) == ("entered", "", "", at(0.06))
    assert call.channel == "PJSIP/residents-00000004"

    _, rest = feed_until(tracker, rest, "QueueCallerJoin")
    call = tracker.snapshot().calls[call_id]
    assert (call.state, call.queue, call.queued_at) == ("queued", QUEUE, at(6.3))

    _, rest = feed_until(tracker, rest, "AgentCalled")
    assert tracker.snapshot().calls[call_id].state == "ringing"

    _, rest = feed_until(tracker, rest, "AgentConnect")
    call = tracker.snapshot().calls[call_id]
    assert (call.state, call.agent, call.answered_at) == ("answered", "PJSIP/agent-anna", at(10.13))
    assert tracker.snapshot().devices["PJSIP/agent-anna"] == "RINGING"

    replay(rest, tracker)
    assert call_id not in tracker.snapshot().calls
    member = tracker.snapshot().members[(QUEUE, "PJSIP/agent-anna")]
    assert (member.status, member.in_call, member.calls_taken) == (1, False, 1)
    assert tracker.snapshot().devices == {"PJSIP/agent-anna": "NOT_INUSE"}


def test_abandoned_call_keeps_wait_from_holdtime_and_maps_unknown_caller_name() -> None:
    _, produced = replay(load("synthetic_queue_abandoned")["events"])
    assert types(produced, "call") == [
        "CallEntered",
        "ConsentRecorded",
        "CallRouted",
        "CallQueued",
        "CallAbandoned",
        "CallEnded",
    ]
    entered = of_type(produced, "CallEntered")[0].to_dict()
    assert (entered["caller_number"], entered["caller_name"]) == ("48600700800", "")
    abandoned = of_type(produced, "CallAbandoned")[0].to_dict()
    assert (abandoned["queue"], abandoned["wait_seconds"]) == (QUEUE, 42.0)
    assert of_type(produced, "CallEnded")[0].to_dict()["talk_seconds"] == 0.0


def test_agent_not_answering_then_next_agent_answers() -> None:
    _, produced = replay(load("synthetic_queue_ring_no_answer_then_answer")["events"])
    offers = [
        (type(e).__name__, e.to_dict()["agent"], e.to_dict().get("reason"))
        for e in produced
        if type(e).__name__ in {"CallOffered", "CallOfferFailed", "CallAnswered"}
    ]
    assert offers == [
        ("CallOffered", "PJSIP/agent-anna", None),
        ("CallOfferFailed", "PJSIP/agent-anna", "no_answer"),
        ("CallOffered", "PJSIP/agent-piotr", None),
        ("CallAnswered", "PJSIP/agent-piotr", None),
    ]
    assert of_type(produced, "CallAnswered")[0].to_dict()["wait_seconds"] == 21.0
    # The agent hung up first: AgentComplete comes after his channel's Hangup, before ours.
    names = types(produced)
    assert names.index("AgentCallCompleted") < names.index("CallEnded")


def test_caller_hangs_up_while_agent_phone_rings() -> None:
    _, produced = replay(load("synthetic_queue_caller_hangup_while_ringing")["events"])
    call_events = [e.to_dict() for e in produced if e.topic == "call"][-4:]
    assert [e["type"] for e in call_events] == [
        "CallOffered",
        "CallOfferFailed",
        "CallAbandoned",
        "CallEnded",
    ]
    failed = call_events[1]
    assert (failed["agent"], failed["queue"], failed["reason"]) == (
        "PJSIP/agent-ewa",
        QUEUE,
        tracker_calls.CALLER_HANGUP,
    )
    assert call_events[2]["wait_seconds"] == 8.0
    assert of_type(produced, "CallAnswered") == []


def test_direct_dial_to_last_agent_answered() -> None:
    items = load("synthetic_direct_dial_answered")["events"]
    tracker = Tracker()
    produced, rest = feed_until(tracker, items, "DialBegin")
    offered = of_type(produced, "CallOffered")[0].to_dict()
    assert (offered["queue"], offered["agent"]) == ("", "PJSIP/agent-anna")
    assert tracker.snapshot().calls["1795856400.50"].state == "ringing"

    _, more = replay(rest, tracker)
    answered = of_type(more, "CallAnswered")[0].to_dict()
    assert answered["queue"] == ""
    assert answered["agent"] == "PJSIP/agent-anna"
    assert answered["at"] == at(9.51).isoformat()
    assert answered["wait_seconds"] == pytest.approx(9.51 - 0.06)  # from CicCall
    assert of_type(more, "CallEnded")[0].to_dict()["talk_seconds"] == pytest.approx(69.53 - 9.51)
    assert of_type(more, "CallOffered") == []  # DialState/BridgeEnter add nothing


def test_direct_dial_not_answered_falls_to_queue() -> None:
    _, produced = replay(load("synthetic_direct_dial_no_answer_then_queue")["events"])
    sequence = [
        (type(e).__name__, e.to_dict().get("queue"), e.to_dict().get("agent"))
        for e in produced
        if e.topic == "call" and type(e).__name__.startswith(("CallOffer", "CallAns", "CallQ"))
    ]
    assert sequence == [
        ("CallOffered", "", "PJSIP/agent-anna"),
        ("CallOfferFailed", "", "PJSIP/agent-anna"),
        ("CallQueued", QUEUE, None),
        ("CallOffered", QUEUE, "PJSIP/agent-piotr"),
        ("CallAnswered", QUEUE, "PJSIP/agent-piotr"),
    ]


def test_resync_after_controller_restart_rebuilds_calls_silently() -> None:
    items = load("synthetic_resync_answered_then_hangup")["events"]
    tracker = Tracker()
    produced, rest = feed_until(tracker, items, "QueueStatusComplete")
    produced += step(tracker, rest[0])  # end_resync
    assert types(produced, "call") == []
    snap = tracker.snapshot()
    booted = at(0.0)  # CoreShowChannel rows carry no Timestamp: the FullyBooted time is used
    answered = snap.calls["1795856400.70"]
    assert answered.state == "answered"
    assert answered.agent == "PJSIP/agent-ewa"
    assert answered.entered_at == booted - timedelta(seconds=125)
    assert answered.answered_at == booted - timedelta(seconds=100)  # agent leg's Duration
    assert (answered.caller_number, answered.caller_name) == ("48502502502", "Adam Testowy")
    waiting = snap.calls["1795856400.72"]
    assert (waiting.state, waiting.queue) == ("queued", QUEUE)
    assert waiting.queued_at == booted - timedelta(seconds=35)
    piotr = snap.members[(QUEUE, "PJSIP/agent-piotr")]
    assert (piotr.member_name, piotr.paused, piotr.paused_reason) == (
        "Piotr Kowalski",
        True,
        "przerwa",
    )

    _, later = replay(rest[1:], tracker)
    ended = {e.to_dict()["call_id"]: e.to_dict() for e in of_type(later, "CallEnded")}
    assert ended["1795856400.70"]["talk_seconds"] == pytest.approx(160.02)
    assert ended["1795856400.72"]["talk_seconds"] == 0.0
    assert tracker.live_call_ids() == frozenset()


def test_member_pause_and_unpause_with_reason() -> None:
    tracker, produced = replay(load("synthetic_member_pause_unpause")["events"])
    pauses = [
        (e.to_dict()["paused"], e.to_dict()["paused_reason"], e.to_dict()["status"])
        for e in of_type(produced, "QueueMemberChanged")
        if e.to_dict()["queue"] == QUEUE
    ]
    assert pauses == [
        (False, "", 1),
        (True, "przerwa kawowa", 1),  # the repeated pause event is not reported again
        (True, "przerwa kawowa", 5),
        (True, "przerwa kawowa", 1),
        (False, "", 1),
    ]
    snap = tracker.snapshot()
    assert list(snap.members) == [(QUEUE, "PJSIP/agent-anna")]
    # Only agents' PJSIP devices: not app_queue's Queue:..._avail nor the residents' trunk.
    assert snap.devices == {"PJSIP/agent-anna": "NOT_INUSE"}
    assert len(of_type(produced, "QueueMemberRemoved")) == 1


# --------------------------------------------------------------------------- garbage


PYTHON_GARBAGE: list[Any] = [
    {"Event": None},
    {"Event": ["Hangup", "Hangup"]},
    {"Event": 42},
    {"Event": "QueueCallerJoin", "Timestamp": 1795856400.0, "Queue": QUEUE, "Linkedid": "x"},
    {"Event": "QueueCallerJoin", "Timestamp": "1e308", "Queue": QUEUE, "Linkedid": "x"},
    {"Event": "QueueCallerJoin", "Timestamp": "-1e20", "Queue": QUEUE, "Linkedid": "x"},
    {"Event": "Hangup", "Uniqueid": ["1795856400.10"], "Linkedid": "1795856400.10"},
    {
        "Event": "AgentConnect",
        "Queue": QUEUE,
        "Interface": "PJSIP/a",
        "Linkedid": "1795856400.10",
        "HoldTime": "inf",
    },
    {
        "Event": "AgentConnect",
        "Queue": QUEUE,
        "Interface": "PJSIP/a",
        "Linkedid": "1795856400.10",
        "HoldTime": "1" * 5000,
    },
    {
        "Event": "QueueMemberStatus",
        "Queue": QUEUE,
        "Interface": "PJSIP/agent-anna",
        "CallsTaken": "-1",
    },
    {"Event": "QueueMemberStatus", "Queue": QUEUE, "Interface": "PJSIP/agent-anna", "InCall": "2"},
    {
        "Event": "DialEnd",
        "Uniqueid": "1795856400.10",
        "Linkedid": "1795856400.10",
        "DestUniqueid": "1795856400.11",
    },
    {"Event": "UserEvent", "UserEvent": "CicConsent", "CallId": "1795856400.10"},
    {"Event": "UserEvent", "UserEvent": "CicRecording", "CallId": "1795856400.10", "File": ""},
    {"Event": "UserEvent", "UserEvent": "CicRoute", "CallId": "1795856400.10"},
]


def test_garbage_never_raises_and_leaves_state_unchanged() -> None:
    # Start from a tracker with a live, queued call, a member and a device.
    items = load("synthetic_queue_answered")["events"]
    tracker = Tracker()
    _, rest = feed_until(tracker, items, "QueueMemberStatus")
    before = tracker.snapshot()
    assert "1795856400.10" in before.calls and before.members and before.devices
    rejected_before = tracker.rejected

    garbage = load("synthetic_garbage")["events"]
    produced: list[DomainEvent] = []
    for item in garbage + PYTHON_GARBAGE:
        produced.extend(tracker.feed(item))
        produced.extend(tracker.feed(item, received_at=datetime(2026, 11, 28, 10, 0)))

    assert produced == []
    assert tracker.internal_errors == 0
    assert tracker.snapshot() == before
    assert tracker.live_call_ids() == frozenset(before.calls)
    assert tracker.rejected - rejected_before == 2 * (19 + len(PYTHON_GARBAGE))

    # The call carries on undisturbed.
    _, after = replay(rest, tracker)
    assert types(after, "call") == ["CallAnswered", "CallEnded"]
    assert of_type(after, "CallEnded")[0].to_dict()["talk_seconds"] == pytest.approx(94.89)


def test_non_mapping_input_is_survived() -> None:
    tracker = Tracker()
    assert tracker.feed(None) == []  # type: ignore[arg-type]
    assert tracker.feed("Event: Hangup") == []  # type: ignore[arg-type]
    assert tracker.rejected + tracker.internal_errors == 2


# --------------------------------------------------------------------------- resync with history


def _resident_row(call_id: str, channel: str, bridge: str, duration: str) -> dict[str, str]:
    return {
        "Event": "CoreShowChannel",
        "ActionID": "r1",
        "Channel": channel,
        "ChannelState": "6",
        "ChannelStateDesc": "Up",
        "CallerIDNum": "48500100200",
        "CallerIDName": "Jan Testowy",
        "Uniqueid": call_id,
        "Linkedid": call_id,
        "BridgeId": bridge,
        "Application": "Queue",
        "ApplicationData": QUEUE,
        "Duration": duration,
    }


def test_resync_reports_what_happened_while_disconnected() -> None:
    tracker = Tracker()
    # Known before the reconnect: call A ringing agent-anna, call B queued, anna in 2 queues.
    answered_items = load("synthetic_queue_answered")["events"]
    feed_until(tracker, answered_items, "QueueMemberStatus")
    abandoned_items = load("synthetic_queue_abandoned")["events"]
    feed_until(tracker, abandoned_items, "QueueCallerJoin")
    member_items = load("synthetic_member_pause_unpause")["events"][:2]
    replay(member_items, tracker)
    last_seen = timestamp(member_items[-1]["Timestamp"])  # last event before the reconnect
    assert tracker.live_call_ids() == {"1795856400.10", "1795856400.20"}

    tracker.begin_resync()
    assert tracker.live_call_ids() == frozenset()
    resumed = {"Timestamp": f"{(at(300) - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds()}"}
    produced = tracker.feed({"Event": "FullyBooted", **resumed})
    rows = [
        _resident_row("1795856400.10", "PJSIP/residents-00000004", "b-1", "00:05:00"),
        {
            "Event": "CoreShowChannel",
            "Channel": "PJSIP/agent-anna-00000005",
            "Uniqueid": "1795856400.11",
            "Linkedid": "1795856400.10",
            "BridgeId": "b-1",
            "Duration": "00:03:20",
        },
        {
            "Event": "QueueMember",
            "Queue": QUEUE,
            "Name": "Anna Nowak",
            "Location": "PJSIP/agent-anna",
            "StateInterface": "PJSIP/agent-anna",
            "CallsTaken": "0",
            "InCall": "1",
            "Status": "2",
            "Paused": "0",
            "PausedReason": "",
        },
    ]
    for row in rows:
        produced += tracker.feed(row)
    produced += tracker.end_resync()

    answered = of_type(produced, "CallAnswered")
    assert [e.to_dict()["call_id"] for e in answered] == ["1795856400.10"]
    assert answered[0].to_dict()["agent"] == "PJSIP/agent-anna"
    assert answered[0].to_dict()["queue"] == QUEUE
    assert answered[0].at == at(300) - timedelta(seconds=200)
    assert of_type(produced, "CallOfferFailed") == []  # the ringing agent is the one who answered

    ended = of_type(produced, "CallEnded")
    assert [e.to_dict()["call_id"] for e in ended] == ["1795856400.20"]
    assert ended[0].to_dict()["cause"] == tracker_calls.CAUSE_LOST
    assert ended[0].at == last_seen

    removed = [
        (e.to_dict()["queue"], e.to_dict()["interface"])
        for e in of_type(produced, "QueueMemberRemoved")
    ]
    assert removed == [("sprawy-meldunkowe", "PJSIP/agent-anna")]
    changed = of_type(produced, "QueueMemberChanged")
    assert [e.to_dict()["status"] for e in changed] == [2]  # listed with a new status

    assert tracker.live_call_ids() == {"1795856400.10"}
    assert tracker.end_resync() == []  # nothing left to settle
    # Late duplicates about the call ended by the resync are dropped, not restarted.
    cic_call = next(e for e in abandoned_items if e.get("UserEvent") == "CicCall")
    assert tracker.feed(cic_call) == []
    assert tracker.feed(abandoned_items[-1]) == []


def test_live_events_during_resync_confirm_calls() -> None:
    tracker = Tracker()
    items = load("synthetic_queue_answered")["events"]
    _, rest = feed_until(tracker, items, "AgentConnect")
    tracker.begin_resync()
    # No CoreShowChannel yet, but the call ends live: it is reported once, not lost.
    _, produced = replay(rest, tracker)
    produced += tracker.end_resync()
    ended = of_type(produced, "CallEnded")
    assert len(ended) == 1 and ended[0].to_dict()["cause"] == "Normal Clearing"
    # anna was set aside, then her live QueueMemberStatus confirmed her: not removed.
    assert of_type(produced, "QueueMemberRemoved") == []


# --------------------------------------------------------------------------- behaviour details


def _cic_call(call_id: str, ts: str = "1795856400.000000", **extra: str) -> dict[str, str]:
    return {
        "Event": "UserEvent",
        "UserEvent": "CicCall",
        "Timestamp": ts,
        "Channel": "PJSIP/residents-00000001",
        "Uniqueid": call_id,
        "Linkedid": call_id,
        "CallerIDNum": "48500100200",
        "CallerIDName": "Jan Testowy",
        "CallId": call_id,
        "Dialled": "48225550100",
        **extra,
    }


def test_event_time_prefers_timestamp_then_received_at_then_last_seen() -> None:
    tracker = Tracker()
    warsaw = timezone(timedelta(hours=1))
    received = datetime(2026, 11, 28, 11, 0, tzinfo=warsaw)
    [first] = tracker.feed(_cic_call("1.1"), received_at=received)
    assert first.at == T0  # Timestamp wins
    no_ts = {k: v for k, v in _cic_call("1.2").items() if k != "Timestamp"}
    [second] = tracker.feed(no_ts, received_at=received)
    assert second.at == datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
    assert second.at.tzinfo == UTC
    [third] = tracker.feed(no_ts | {"CallId": "1.3", "Uniqueid": "1.3", "Linkedid": "1.3"})
    assert third.at == second.at  # last time seen
    naive = datetime(2026, 11, 28, 12, 0)
    [fourth] = tracker.feed(no_ts | {"CallId": "1.4"}, received_at=naive)
    assert fourth.at == naive.replace(tzinfo=UTC)


def test_snapshot_is_immutable_and_detached() -> None:
    tracker, _ = replay([_cic_call("2.1")])
    snap = tracker.snapshot()
    with pytest.raises(TypeError):
        snap.calls["x"] = snap.calls["2.1"]  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        snap.calls["2.1"].state = "ended"  # type: ignore[misc]
    tracker.feed({"Event": "Hangup", "Uniqueid": "2.1", "Linkedid": "2.1", "Cause-txt": "x"})
    assert "2.1" in snap.calls and snap.calls["2.1"].state == "entered"
    assert snap.calls["2.1"].state in CALL_STATES
    assert "2.1" not in tracker.snapshot().calls


def test_events_of_untracked_linkedids_make_no_call_events_but_agents_are_tracked() -> None:
    tracker = Tracker()
    internal = {"Uniqueid": "9.1", "Linkedid": "9.1", "Channel": "PJSIP/agent-anna-00000001"}
    produced = tracker.feed(
        {"Event": "QueueCallerJoin", "Queue": QUEUE, "Position": "1", **internal}
    )
    produced += tracker.feed(
        {"Event": "AgentCalled", "Queue": QUEUE, "Interface": "PJSIP/x", **internal}
    )
    produced += tracker.feed(
        {
            "Event": "DialBegin",
            "DestChannel": "PJSIP/agent-ewa-00000002",
            "DestUniqueid": "9.2",
            **internal,
        }
    )
    produced += tracker.feed({"Event": "Hangup", "Cause-txt": "Normal Clearing", **internal})
    assert produced == []
    produced += tracker.feed(
        {"Event": "DeviceStateChange", "Device": "PJSIP/agent-anna", "State": "INUSE"}
    )
    assert types(produced) == ["AgentDeviceChanged"]


def test_inbound_queue_prefix_limits_call_events_not_members() -> None:
    items = load("synthetic_queue_answered")["events"]
    _, produced = replay(items, Tracker(inbound_queue_prefix="sprawy-"))
    assert types(produced, "call") == [
        "CallEntered",
        "ConsentRecorded",
        "RecordingStarted",
        "CallRouted",
        "CallEnded",
    ]
    assert of_type(produced, "QueueMemberChanged")  # members of every queue still tracked
    _, produced = replay(items, Tracker(inbound_queue_prefix="pierwsza-"))
    assert "CallAnswered" in types(produced)


def test_hangup_while_queued_without_abandon_event_counts_as_abandoned() -> None:
    tracker, _ = replay([_cic_call("3.1")])
    base = {"Uniqueid": "3.1", "Linkedid": "3.1", "Channel": "PJSIP/residents-00000001"}
    tracker.feed(
        {
            "Event": "QueueCallerJoin",
            "Queue": QUEUE,
            "Position": "2",
            "Timestamp": "1795856410",
            **base,
        }
    )
    produced = tracker.feed(
        {"Event": "Hangup", "Cause-txt": "Normal Clearing", "Timestamp": "1795856425", **base}
    )
    assert types(produced) == ["CallAbandoned", "CallEnded"]
    assert produced[0].to_dict()["wait_seconds"] == 15.0


def test_agent_complete_after_caller_hangup_is_reported_once() -> None:
    tracker, _ = replay([_cic_call("4.1")])
    base = {
        "Uniqueid": "4.1",
        "Linkedid": "4.1",
        "Channel": "PJSIP/residents-00000001",
        "Queue": QUEUE,
    }
    tracker.feed({"Event": "QueueCallerJoin", "Position": "1", **base})
    tracker.feed(
        {"Event": "AgentConnect", "Interface": "PJSIP/agent-anna", "HoldTime": "3", **base}
    )
    tracker.feed({"Event": "Hangup", "Cause-txt": "Normal Clearing", **base})
    complete = {"Event": "AgentComplete", "Interface": "PJSIP/agent-anna", "TalkTime": "50", **base}
    assert types(tracker.feed(complete)) == ["AgentCallCompleted"]
    assert tracker.feed(complete) == []


def test_answer_by_one_of_several_ringing_agents_stops_the_others() -> None:
    tracker, _ = replay([_cic_call("5.1")])
    base = {
        "Uniqueid": "5.1",
        "Linkedid": "5.1",
        "Channel": "PJSIP/residents-00000001",
        "Queue": QUEUE,
    }
    tracker.feed({"Event": "QueueCallerJoin", "Position": "1", **base})
    for agent in ("PJSIP/agent-anna", "PJSIP/agent-ewa"):
        tracker.feed({"Event": "AgentCalled", "Interface": agent, **base})
    produced = tracker.feed(
        {"Event": "AgentConnect", "Interface": "PJSIP/agent-ewa", "HoldTime": "2", **base}
    )
    assert [(type(e).__name__, e.to_dict()["agent"]) for e in produced] == [
        ("CallOfferFailed", "PJSIP/agent-anna"),
        ("CallAnswered", "PJSIP/agent-ewa"),
    ]
    assert produced[0].to_dict()["reason"] == tracker_calls.ANSWERED_ELSEWHERE


def test_dialplan_user_events_are_reported_once_per_call() -> None:
    tracker, produced = replay([_cic_call("6.1"), _cic_call("6.1")])
    route = {
        "Event": "UserEvent",
        "UserEvent": "CicRoute",
        "CallId": "6.1",
        "Action": "closed",
        "Target": "",
        "Reason": "after_hours",
    }
    fallback = {
        "Event": "UserEvent",
        "UserEvent": "CicFallback",
        "CallId": "6.1",
        "Queue": QUEUE,
        "Reason": "agi=FAILURE action=",
    }
    message = {
        "Event": "UserEvent",
        "UserEvent": "CicMessage",
        "CallId": "6.1",
        "File": "/var/spool/cic/messages/6.1.wav",
    }
    for item in (route, route, fallback, fallback, message, message):
        produced += tracker.feed(item)
    assert types(produced) == ["CallEntered", "CallRouted", "CallFallback", "MessageLeft"]
    assert produced[2].to_dict()["reason"] == "agi=FAILURE action="
    assert produced[3].to_dict()["path"] == "/var/spool/cic/messages/6.1.wav"


def test_ended_memory_is_bounded() -> None:
    tracker = Tracker(ended_memory=2)
    for n in range(5):
        tracker.feed(_cic_call(f"7.{n}"))
        tracker.feed({"Event": "Hangup", "Uniqueid": f"7.{n}", "Linkedid": f"7.{n}"})
    assert tracker.live_call_ids() == frozenset()
    # The oldest ended call was forgotten, so its (late, duplicate) CicCall starts it again.
    assert types(tracker.feed(_cic_call("7.0"))) == ["CallEntered"]
    assert tracker.feed(_cic_call("7.4")) == []


def test_panoramisk_message_objects_are_accepted() -> None:
    message_mod = pytest.importorskip("panoramisk.message")
    headers = _cic_call("8.1") | {"ChanVariable": ["A=1", "B=2"]}
    message = message_mod.Message({k.lower(): v for k, v in headers.items()})
    assert types(Tracker().feed(message)) == ["CallEntered"]


@pytest.mark.parametrize(
    ("channel", "interface"),
    [
        ("PJSIP/agent-anna-0000001a", "PJSIP/agent-anna"),
        ("PJSIP/agent-anna-beata-00000002", "PJSIP/agent-anna-beata"),
        ("Local/100@cic-agents-0000001b;1", "Local/100@cic-agents"),
        ("PJSIP/agent-anna", "PJSIP/agent-anna"),
    ],
)
def test_interface_of_channel(channel: str, interface: str) -> None:
    assert interface_of(channel) == interface


def test_duration_and_timestamp_parsing() -> None:
    assert clock_duration({"Duration": "01:02:03"}, "Duration") == 3723.0
    assert clock_duration({"Duration": "42"}, "Duration") == 42.0
    assert clock_duration({}, "Duration") is None
    for bad in ("aa:bb", "1:2:3:4", "00:-1:00"):
        with pytest.raises(Malformed):
            clock_duration({"Duration": bad}, "Duration")
    assert timestamp("1795856400.5") == T0 + timedelta(seconds=0.5)
    for bad in ("", "nan", "inf", "1e300", "12:00"):
        with pytest.raises(Malformed):
            timestamp(bad)


def test_callback_request_is_reported_once_and_needs_its_request_id() -> None:
    tracker = Tracker()
    tracker.feed(_cic_call("1795856400.40"))
    asked = {"Event": "UserEvent", "UserEvent": "CicCallbackRequested", "Request": "17",
             "Timestamp": "1795856430.000000", "CallId": "1795856400.40"}  # fmt: skip
    produced = tracker.feed(asked)
    assert [e.to_dict() for e in produced] == [
        {"type": "CallbackRequested", "at": produced[0].to_dict()["at"],
         "call_id": "1795856400.40", "request": "17"},
    ]  # fmt: skip
    assert tracker.feed(asked) == []  # a duplicate adds nothing
    rejected = tracker.rejected
    assert tracker.feed({k: v for k, v in asked.items() if k != "Request"}) == []
    assert tracker.rejected == rejected + 1
