"""What the calls API gives: a call's record, its timeline, legs, recordings and wrap-ups."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field
from typing_extensions import TypedDict

Time = Annotated[str | None, Field(description="ISO 8601, UTC")]


class CallSummary(TypedDict):
    """A call's record (times as ISO 8601 text in UTC; null until it happened)."""

    id: int
    call_id: str
    caller_number: str
    caller_name: str
    dialled: str
    entered_at: Time
    queued_at: Time
    answered_at: Time
    ended_at: Time
    queue: str | None
    agent: str | None
    outcome: Annotated[str, Field(description="answered, abandoned, message, ... , in_progress")]
    wait_seconds: float | None
    talk_seconds: float | None
    routing_action: str | None
    routing_target: str | None
    routing_reason: str | None
    fallback: bool
    recording_consent: str | None
    end_cause: str | None


class TimelineEntry(TypedDict):
    """One event of the call's timeline."""

    at: str
    type: str
    data: dict[str, Any]


class RecordingOut(TypedDict):
    """A recording file of the call."""

    id: int
    path: str
    bytes: int
    duration_seconds: float
    sha256: str
    kind: str
    created_at: str


class CallDetail(CallSummary):
    """A call with its timeline, legs (who had the resident when) and recordings."""

    timeline: list[TimelineEntry]
    legs: list[dict[str, Any]]
    recordings: list[RecordingOut]


class WrapupOut(TypedDict):
    """An agent's wrap-up of a call."""

    agent: str
    outcome: str
    topic: str
    note: str
    saved_by: str
    saved_at: str


class EarlierCall(TypedDict):
    """An earlier call of a resident, with its wrap-up (the last agent's)."""

    call_id: str
    entered_at: str | None
    caller_number: str
    agent: str | None
    outcome: str
    wrapup: WrapupOut | None
