"""When an agent was talking with the resident, in seconds from the start of the recording.

The agent's file (MixMonitor ``t()``: what the resident heard) also holds the hold music, the
queue's prompts and ringing before anyone answered, and the hold music while the agent consulted
a colleague. Speech engines turn music into words (Whisper invents sentences on it), and those
words would be the agent's. The worker therefore transcribes the agent's file only within the
spans computed here from the call's timeline: from each answer (or attended transfer) to the end
of that leg, without its consults. Pure: timeline entries in, spans out.

The spans are clock times; they fit the file only when the file ran with the clock. Asterisk
writes nothing while no audio flows (a SIP test phone that stopped sending), so a file much
shorter than :func:`recorded_seconds` says its time base is unknown, and it is heard whole.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from cic.calls.legs import call_legs

Span = tuple[float, float]
MARGIN = 0.3
"""Seconds added on both sides of a span: event times come from AMI, not from the audio."""


def _at(raw: object) -> datetime | None:
    try:
        return datetime.fromisoformat(str(raw)) if raw else None
    except ValueError:
        return None


def _recording_start(timeline: Sequence[Mapping[str, Any]]) -> datetime | None:
    starts = [_at(e.get("at")) for e in timeline if e.get("type") == "RecordingStarted"]
    known = [s for s in starts if s is not None]
    return min(known) if known else None


def _subtract(span: Span, holes: list[Span]) -> list[Span]:
    pieces = [span]
    for hole_start, hole_end in holes:
        cut: list[Span] = []
        for start, end in pieces:
            if hole_end <= start or hole_start >= end:
                cut.append((start, end))
                continue
            if hole_start > start:
                cut.append((start, hole_start))
            if hole_end < end:
                cut.append((hole_end, end))
        pieces = cut
    return pieces


def _merge(spans: list[Span]) -> list[Span]:
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def recorded_seconds(timeline: Sequence[Mapping[str, Any]]) -> float | None:
    """How long the recording ran by the clock (its start to the call's end), if known."""
    origin = _recording_start(timeline)
    ends = [_at(e.get("at")) for e in timeline if e.get("type") == "CallEnded"]
    known = [e for e in ends if e is not None]
    if origin is None or not known:
        return None
    return max((max(known) - origin).total_seconds(), 0.0)


def agent_spans(timeline: Sequence[Mapping[str, Any]], margin: float = MARGIN) -> list[Span] | None:
    """Spans (start, end) in seconds from the recording's start when an agent had the resident,
    ``end`` infinite for a leg still open; ``[]`` when no agent ever answered; None when the
    timeline does not say when the recording started (the whole file is used then)."""
    origin = _recording_start(timeline)
    if origin is None:
        return None

    def seconds(at: datetime) -> float:
        return (at - origin).total_seconds()

    spans: list[Span] = []
    for leg in call_legs(timeline):
        answered = _at(leg.get("answered_at"))
        if answered is None:
            continue
        ended = _at(leg.get("ended_at"))
        leg_end = seconds(ended) if ended is not None else float("inf")
        holds = []
        for consult in leg.get("consults", []):
            began, back = _at(consult.get("started_at")), _at(consult.get("ended_at"))
            if began is not None:
                holds.append((seconds(began) + margin, seconds(back) - margin if back else leg_end))
        for start, end in _subtract((seconds(answered), leg_end), holds):
            if end > 0:
                spans.append((max(0.0, start - margin), end + margin))
    return _merge(spans)
