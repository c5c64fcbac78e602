"""The tracker on transfer fixtures recorded from Asterisk 22 (tests/fixtures/ami/transfer_*).

Each fixture was recorded by ``tests/fixtures/ami/transfer_record.py`` driving the same AMI
actions the transfers service sends (Setvar + Atxfer, CancelAtxfer, Hangup, BlindTransfer).
The generic replay tests in ``test_tracker.py`` check their ``expect`` lists and idempotence;
these check each scenario's story exactly, and the live snapshot the service acts on.
"""

from __future__ import annotations

from typing import Any

from cic import events as ev
from cic.asterisk.tracker import Tracker
from cic.events import DomainEvent
from tests.unit.test_tracker import FIXTURES, load, replay, step

ALA, BOB = "PJSIP/agent-ala", "PJSIP/agent-bob"
STORY = (
    ev.CallAnswered,
    ev.ConsultRinging,
    ev.ConsultAnswered,
    ev.ConsultFailed,
    ev.ConsultEnded,
    ev.CallTransferred,
    ev.CallQueued,
    ev.CallEnded,
)


def story(name: str) -> tuple[Tracker, list[DomainEvent]]:
    """Replay a fixture; the tracker and its transfer-relevant call events."""
    tracker, produced = replay(load(name)["events"])
    assert tracker.internal_errors == 0 and tracker.rejected == 0
    return tracker, [e for e in produced if isinstance(e, STORY)]


def names(events: list[DomainEvent]) -> list[str]:
    return [type(e).__name__ for e in events]


def test_every_transfer_scenario_was_recorded() -> None:
    recorded = {p.stem for p in FIXTURES.glob("transfer_*.json")}
    assert {
        "transfer_consult_return",
        "transfer_attended_complete",
        "transfer_attended_cancel",
        "transfer_consult_no_answer",
        "transfer_blind_to_queue",
        "transfer_resident_hangs_up_in_consult",
        "transfer_agent_hangs_up_in_consult",
    } <= recorded


def test_consult_and_return() -> None:
    _tracker, events = story("transfer_consult_return")
    assert names(events) == [
        "CallQueued", "CallAnswered", "ConsultRinging", "ConsultAnswered", "ConsultEnded",
        "CallEnded",
    ]  # fmt: skip
    ringing, ended = events[2], events[4]
    assert isinstance(ringing, ev.ConsultRinging) and isinstance(ended, ev.ConsultEnded)
    assert (ringing.transferer, ringing.target) == (ALA, BOB)
    assert ringing.channel.startswith("PJSIP/agent-bob-")
    assert ended.answered is True and ended.target == BOB


def test_snapshot_shows_the_agent_channel_and_the_consult() -> None:
    items = load("transfer_consult_return")["events"]
    tracker = Tracker()
    seen: dict[str, Any] = {}
    for item in items:
        for event in step(tracker, item):
            if isinstance(event, (ev.CallAnswered, ev.ConsultRinging, ev.ConsultEnded)):
                seen[type(event).__name__] = tracker.call(event.call_id)
    answered, ringing, back = seen["CallAnswered"], seen["ConsultRinging"], seen["ConsultEnded"]
    assert answered.agent_channel.startswith("PJSIP/agent-ala-") and answered.consulting == ""
    assert ringing.consulting == BOB and ringing.agent_channel == answered.agent_channel
    assert back.consulting == "" and back.agent == ALA
    assert tracker.live_call_ids() == frozenset()


def test_attended_transfer_completed_moves_the_call_to_the_colleague() -> None:
    items = load("transfer_attended_complete")["events"]
    tracker = Tracker()
    produced: list[DomainEvent] = []
    after: Any = None
    for item in items:
        out = step(tracker, item)
        produced.extend(out)
        if any(isinstance(e, ev.CallTransferred) for e in out):
            after = tracker.call(out[0].call_id)  # type: ignore[attr-defined]
    events = [e for e in produced if isinstance(e, STORY)]
    assert names(events) == [
        "CallQueued", "CallAnswered", "ConsultRinging", "ConsultAnswered", "CallTransferred",
        "CallEnded",
    ]  # fmt: skip
    transferred = events[4]
    assert isinstance(transferred, ev.CallTransferred)
    assert (transferred.kind, transferred.from_agent, transferred.to_agent) == (
        "attended", ALA, BOB,
    )  # fmt: skip
    assert after.agent == BOB and after.agent_channel.startswith("PJSIP/agent-bob-")
    assert after.consulting == "" and after.state == "answered"
    # the first agent's queue call is over: wrap-up starts for them, not for the colleague
    completed = [e for e in produced if isinstance(e, ev.AgentCallCompleted)]
    assert [c.interface for c in completed] == [ALA]
    ended = events[-1]
    assert isinstance(ended, ev.CallEnded) and ended.talk_seconds > 5


def test_attended_transfer_cancelled_while_the_colleague_rang() -> None:
    _tracker, events = story("transfer_attended_cancel")
    assert names(events) == [
        "CallQueued", "CallAnswered", "ConsultRinging", "ConsultEnded", "CallEnded",
    ]  # fmt: skip
    ended = events[3]
    assert isinstance(ended, ev.ConsultEnded) and ended.answered is False


def test_colleague_does_not_answer() -> None:
    _tracker, events = story("transfer_consult_no_answer")
    assert names(events) == [
        "CallQueued", "CallAnswered", "ConsultRinging", "ConsultFailed", "ConsultEnded",
        "CallEnded",
    ]  # fmt: skip
    failed = events[3]
    assert isinstance(failed, ev.ConsultFailed) and failed.reason == "no_answer"


def test_blind_transfer_to_a_department_queue() -> None:
    _tracker, events = story("transfer_blind_to_queue")
    assert names(events) == [
        "CallQueued", "CallAnswered", "CallTransferred", "CallQueued", "CallAnswered",
        "CallEnded",
    ]  # fmt: skip
    first, blind, queued, second = events[1], events[2], events[3], events[4]
    assert isinstance(first, ev.CallAnswered) and first.agent == ALA
    assert isinstance(blind, ev.CallTransferred) and blind.kind == "blind"
    assert blind.from_agent == ALA and blind.target == "cic-blind/q-finanse"
    assert isinstance(queued, ev.CallQueued) and queued.queue == "finanse"
    assert isinstance(second, ev.CallAnswered) and second.agent == BOB
    assert second.queue == "finanse"


def test_resident_hangs_up_during_consult() -> None:
    """The resident leaves while the agent talks to the colleague: no transfer, call ended."""
    tracker, events = story("transfer_resident_hangs_up_in_consult")
    assert names(events) == [
        "CallQueued", "CallAnswered", "ConsultRinging", "ConsultAnswered", "CallEnded",
    ]  # fmt: skip
    assert tracker.live_call_ids() == frozenset()


def test_agent_hangs_up_while_the_colleague_rings() -> None:
    """A "blond" transfer: Asterisk hands the resident to the ringing colleague at once, and
    the colleague's answer is still reported."""
    _tracker, events = story("transfer_agent_hangs_up_in_consult")
    assert names(events) == [
        "CallQueued", "CallAnswered", "ConsultRinging", "CallTransferred", "ConsultAnswered",
        "CallEnded",
    ]  # fmt: skip
    transferred = events[3]
    assert isinstance(transferred, ev.CallTransferred)
    assert (transferred.kind, transferred.from_agent, transferred.to_agent) == (
        "attended", ALA, BOB,
    )  # fmt: skip


def test_failed_or_foreign_transfers_change_nothing() -> None:
    base = load("transfer_attended_complete")["events"]
    [xfer] = [e for e in base if e.get("Event") == "AttendedTransfer"]
    failed = {**xfer, "Result": "Fail"}
    cut = base.index(xfer)
    tracker, _ = replay(base[:cut])
    assert tracker.feed(failed) == []
    unknown = {**xfer, "TransfereeLinkedid": "999.9"}
    assert tracker.feed(unknown) == []
    broken = {k: v for k, v in xfer.items() if not k.endswith("Linkedid")}
    assert tracker.feed(broken) == [] and tracker.rejected == 1
    assert [type(e).__name__ for e in tracker.feed(xfer)] == ["CallTransferred"]
    assert tracker.feed(xfer) == []  # duplicate
