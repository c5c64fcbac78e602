"""Call legs ("one call, one story") from the timelines of recorded Asterisk calls: the AMI
fixtures are replayed through the tracker and its domain events become timeline entries the
way the call service stores them."""

from __future__ import annotations

from typing import Any

from cic.calls.legs import call_legs
from tests.unit.test_tracker import load, replay

ALA, BOB = "PJSIP/agent-ala", "PJSIP/agent-bob"


def timeline(fixture: str) -> list[dict[str, Any]]:
    _, events = replay(load(fixture)["events"])
    out = []
    for event in events:
        data = {k: v for k, v in event.to_dict().items() if k not in ("at", "call_id", "type")}
        out.append({"at": event.at.isoformat(), "type": type(event).__name__, "data": data})
    return out


def shape(legs: list[dict[str, Any]]) -> list[tuple[str, str, str, str]]:
    return [(leg["queue"], leg["agent"], leg["via"], leg["end"]) for leg in legs]


def test_a_plain_answered_queue_call_is_one_leg() -> None:
    legs = call_legs(timeline("queue_answered"))
    assert len(legs) == 1 and legs[0]["end"] == "completed"
    assert legs[0]["queue"] and legs[0]["agent"].startswith("PJSIP/")
    assert legs[0]["talk_seconds"] is not None and legs[0]["talk_seconds"] >= 0
    assert legs[0]["wait_seconds"] is not None


def test_an_abandoned_call_is_one_unanswered_leg() -> None:
    legs = call_legs(timeline("queue_abandoned"))
    assert [leg["end"] for leg in legs] == ["abandoned"]
    assert legs[0]["agent"] == "" and legs[0]["talk_seconds"] is None


def test_attended_transfer_hands_the_resident_to_the_colleague() -> None:
    legs = call_legs(timeline("transfer_attended_complete"))
    assert shape(legs) == [
        ("pierwsza-linia", ALA, "", "transferred_attended"),
        ("", BOB, "attended", "completed"),
    ]
    first, second = legs
    assert first["ended_at"] == second["answered_at"] == second["started_at"]
    assert [c["target"] for c in first["consults"]] == [BOB]
    assert first["consults"][0]["answered"] is True
    assert first["talk_seconds"] > 0 and second["talk_seconds"] > 0


def test_blind_transfer_to_a_department_queue_opens_a_waiting_leg() -> None:
    legs = call_legs(timeline("transfer_blind_to_queue"))
    assert [(leg["queue"], leg["via"]) for leg in legs][:2] == [
        ("pierwsza-linia", ""),
        ("finanse", "blind"),
    ]
    assert legs[0]["end"] == "transferred_blind" and legs[0]["agent"] == ALA
    assert legs[1]["started_at"] >= legs[0]["ended_at"]


def test_consult_and_return_stays_one_leg_with_the_consult_listed() -> None:
    legs = call_legs(timeline("transfer_consult_return"))
    assert shape(legs) == [("pierwsza-linia", ALA, "", "completed")]
    assert [(c["target"], c["answered"], c["result"]) for c in legs[0]["consults"]] == [
        (BOB, True, "returned")
    ]


def test_unanswered_consult_is_listed_as_failed() -> None:
    legs = call_legs(timeline("transfer_consult_no_answer"))
    assert len(legs) == 1 and legs[0]["end"] == "completed"
    consult = legs[0]["consults"][0]
    assert consult["answered"] is False and consult["result"] not in ("", "returned")


def test_odd_timeline_entries_are_skipped() -> None:
    odd: list[dict[str, Any]] = [
        {"type": "CallQueued", "data": {"queue": "q"}},
        {"at": "wczoraj", "type": "CallQueued", "data": {}},
        {"at": "2026-12-01T10:00:00+00:00", "type": "CallAnswered", "data": None},
        {"at": "2026-12-01T10:00:05+00:00", "type": "CallEnded", "data": {}},
    ]
    legs = call_legs(odd)
    assert shape(legs) == [("", "", "", "completed")]
    assert legs[0]["talk_seconds"] == 5.0


def test_the_agent_hanging_up_in_a_consult_hands_the_resident_over() -> None:
    legs = call_legs(timeline("transfer_agent_hangs_up_in_consult"))
    assert shape(legs) == [
        ("pierwsza-linia", ALA, "", "transferred_attended"),
        ("", BOB, "attended", "completed"),
    ]
    assert [(c["target"], c["result"]) for c in legs[0]["consults"]] == [(BOB, "transferred")]


def test_the_resident_hanging_up_in_a_consult_ends_the_story() -> None:
    legs = call_legs(timeline("transfer_resident_hangs_up_in_consult"))
    assert shape(legs) == [("pierwsza-linia", ALA, "", "completed")]
    assert [(c["target"], c["result"]) for c in legs[0]["consults"]] == [(BOB, "call_ended")]


def test_a_cancelled_attended_transfer_returns_to_the_agent() -> None:
    legs = call_legs(timeline("transfer_attended_cancel"))
    assert shape(legs) == [("pierwsza-linia", ALA, "", "completed")]
    assert [(c["target"], c["result"]) for c in legs[0]["consults"]] == [(BOB, "returned")]
