"""Wallboard figures from bus messages: waiting, longest wait, answered, abandoned, SL, agents."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cic.asterisk.tracker import Tracker
from cic.events import CallAbandoned, CallAnswered, CallEnded, CallQueued
from cic.wallboard.service import Wallboard

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
Q = "pierwsza-linia"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ami"


def presence(username: str, state: str, at: datetime, reason: str = "") -> dict[str, object]:
    return {"type": "AgentPresence", "username": username, "display_name": username.title(),
            "state": state, "label": state, "pause_reason": reason, "since": at.isoformat(),
            "queues": [{"queue": Q, "penalty": 0}]}  # fmt: skip


def test_queue_and_agent_figures() -> None:
    board = Wallboard(target_seconds=20)
    board.apply(presence("anna", "available", T0))
    board.apply(presence("bartek", "paused", T0, "szkolenie"))
    board.apply(CallQueued(T0, "c1", Q, 1).to_dict())
    board.apply(CallQueued(T0 + timedelta(seconds=5), "c2", Q, 2).to_dict())
    board.apply(CallQueued(T0 + timedelta(seconds=6), "c3", Q, 3).to_dict())
    waiting = board.snapshot(T0 + timedelta(seconds=10))["queues"][0]
    assert waiting["waiting"] == 3 and waiting["longest_wait_seconds"] == 10.0

    board.apply(
        CallAnswered(T0 + timedelta(seconds=12), "c1", Q, "PJSIP/agent-anna", 12.0).to_dict()
    )
    board.apply(presence("anna", "on_call", T0 + timedelta(seconds=12)))
    board.apply(CallAbandoned(T0 + timedelta(seconds=40), "c2", Q, 35.0).to_dict())
    board.apply(
        CallAnswered(T0 + timedelta(seconds=50), "c3", Q, "PJSIP/agent-anna", 44.0).to_dict()
    )
    board.apply(CallEnded(T0 + timedelta(seconds=72), "c1", "Normal Clearing", 60.0).to_dict())
    board.apply(CallEnded(T0 + timedelta(seconds=80), "c3", "Normal Clearing", 30.0).to_dict())
    snap = board.snapshot(T0 + timedelta(seconds=90))
    [queue] = snap["queues"]
    assert (queue["waiting"], queue["answered"], queue["abandoned"]) == (0, 2, 1)
    assert queue["service_level"] == round(100 / 3, 1)  # only c1 was answered within 20 s
    assert queue["agents"] == {"on_call": 1, "paused": 1}
    anna, bartek = snap["agents"]
    assert (anna["handled_today"], anna["average_talk_seconds"]) == (2, 45.0)
    assert anna["seconds_in_state"] == 78
    assert (bartek["state"], bartek["pause_reason"]) == ("paused", "szkolenie")


def test_day_rolls_over_at_midnight_in_warsaw() -> None:
    board = Wallboard()
    board.apply(CallAnswered(T0, "c1", Q, "PJSIP/agent-anna", 3.0).to_dict())
    late = datetime(2026, 11, 30, 22, 59, tzinfo=UTC)  # 23:59 in Warsaw
    assert board.snapshot(late)["queues"][0]["answered"] == 1
    next_day = datetime(2026, 11, 30, 23, 0, tzinfo=UTC)  # 00:00 in Warsaw
    assert board.snapshot(next_day)["queues"][0]["answered"] == 0


def test_garbage_messages_change_nothing() -> None:
    board = Wallboard()
    for message in ({}, {"type": "CallQueued"}, {"type": "AgentPresence"}, {"type": 5},
                    {"type": "CallEnded", "call_id": "x", "at": "not a time"}):  # fmt: skip
        try:
            board.apply(message)
        except (KeyError, ValueError, TypeError) as exc:  # pragma: no cover - the failure
            raise AssertionError(f"{message} raised {exc!r}") from exc
    snap = board.snapshot(T0)
    assert snap["queues"] == [] and snap["agents"] == []


def test_real_asterisk_recording_through_tracker_to_wallboard() -> None:
    fixture = json.loads((FIXTURES / "queue_abandoned.json").read_text())
    tracker, board = Tracker(), Wallboard()
    for event in fixture["events"]:
        if "_control" in event:
            continue
        for domain_event in tracker.feed(event):
            board.apply(domain_event.to_dict())
    last = max(float(e["Timestamp"]) for e in fixture["events"] if "Timestamp" in e)
    [queue] = board.snapshot(datetime.fromtimestamp(last, UTC))["queues"]
    assert (queue["waiting"], queue["answered"], queue["abandoned"]) == (0, 0, 1)
    assert queue["service_level"] == 0.0


def test_borrowed_agents_count_in_the_first_line_and_are_marked() -> None:
    board = Wallboard(target_seconds=20, first_line=Q)
    board.apply(presence("anna", "available", T0))
    specialist = {**presence("piotr", "available", T0), "queues": [{"queue": "finanse"}]}
    board.apply(specialist)
    board.apply(CallQueued(T0, "c1", Q, 1).to_dict())
    assert board.snapshot(T0)["queues"][0]["agents"] == {"available": 1}
    assert board.apply({"type": "FirstLineChanged", "username": "piotr", "added": True,
                        "by": "auto", "queue": Q})  # fmt: skip
    snap = board.snapshot(T0)
    first = next(q for q in snap["queues"] if q["queue"] == Q)
    assert first["agents"] == {"available": 2}
    roles = {a["username"]: a["first_line"] for a in snap["agents"]}
    assert roles == {"anna": "member", "piotr": "borrowed"}
    board.apply({"type": "FirstLineChanged", "username": "piotr", "added": False, "queue": Q})
    assert {a["username"]: a["first_line"] for a in board.snapshot(T0)["agents"]}["piotr"] == ""


def test_open_and_failed_callbacks_are_listed_until_closed() -> None:
    board = Wallboard(first_line=Q)
    board.load_callbacks([{"id": 3, "number": "500100301", "queue": Q, "status": "failed",
                           "attempts": 3, "last_result": "NOANSWER"}])  # fmt: skip
    board.apply({"type": "CallbackChanged", "id": 4, "number": "600200302", "queue": Q,
                 "status": "waiting", "attempts": 0})  # fmt: skip
    assert [c["id"] for c in board.snapshot(T0)["callbacks"]] == [3, 4]
    board.apply({"type": "CallbackChanged", "id": 4, "status": "done", "number": "600200302"})
    board.apply({"type": "CallbackChanged", "id": 3, "status": "cancelled"})
    assert board.snapshot(T0)["callbacks"] == []
    assert not board.apply({"type": "CallbackChanged", "id": "x; DROP", "status": "waiting"})


def _replayed(name: str) -> tuple[Wallboard, datetime]:
    fixture = json.loads((FIXTURES / f"{name}.json").read_text())
    tracker, board = Tracker(), Wallboard()
    for event in fixture["events"]:
        if "_control" not in event:
            for domain_event in tracker.feed(event):
                board.apply(domain_event.to_dict())
    last = max(float(e["Timestamp"]) for e in fixture["events"] if "Timestamp" in e)
    return board, datetime.fromtimestamp(last, UTC)


def test_attended_transfer_counts_for_both_agents_each_with_their_own_talk() -> None:
    board, end = _replayed("transfer_attended_complete")
    snap = board.snapshot(end)
    agents = {a["username"]: a for a in snap["agents"]}
    assert agents["ala"]["handled_today"] == 1 and agents["bob"]["handled_today"] == 1
    [queue] = snap["queues"]
    assert (queue["answered"], queue["abandoned"]) == (1, 0)  # one queue call, not two
    legs = {k: agents[k]["average_talk_seconds"] for k in ("ala", "bob")}
    assert all(v is not None and v > 0 for v in legs.values()), legs


def test_blind_transfer_to_a_department_queue_counts_in_both_queues() -> None:
    board, end = _replayed("transfer_blind_to_queue")
    snap = board.snapshot(end)
    queues = {q["queue"]: q for q in snap["queues"]}
    assert queues["pierwsza-linia"]["answered"] == 1
    assert (
        queues["finanse"]["waiting"]
        + queues["finanse"]["answered"]
        + queues["finanse"]["abandoned"]
        == 1
    )
    ala = next(a for a in snap["agents"] if a["username"] == "ala")
    assert ala["handled_today"] == 1 and ala["average_talk_seconds"] is not None
