"""One call as the register shows it: the record, the timeline told in Polish, the legs (who
rang, who answered, transfers and consults), recordings, wrap-ups and topics. Pure reads
over one session; the text of each timeline entry is ``Markup`` (values escaped)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from cic import polish_dates as dates
from cic.calls import labels
from cic.calls.history import call_timeline
from cic.calls.legs import call_legs
from cic.calls.models import Call, CallWrapup, Recording
from cic.recordings.models import CallTranscript
from cic.register.listing import agent_name
from cic.review.review import Review, effective_topics

Describe = Callable[[Mapping[str, Any]], Markup]


def _who(d: Mapping[str, Any], key: str) -> str:
    return agent_name(str(d.get(key) or "")) or "–"


def _queue(d: Mapping[str, Any]) -> Markup:
    return Markup("kolejka {}").format(d.get("queue") or "–")


def _secs(d: Mapping[str, Any], key: str) -> str:
    value = d.get(key)
    return dates.pl_seconds(float(value)) if isinstance(value, int | float) else "–"


_DESCRIBE: dict[str, Describe] = {
    "CallEntered": lambda d: Markup("od {}{} na numer {}").format(
        d.get("caller_number") or "nieznany",
        f" ({d['caller_name']})" if d.get("caller_name") else "",
        d.get("dialled") or "–",
    ),
    "ConsentRecorded": lambda d: labels.consent(d.get("consent")),
    "CallRouted": lambda d: Markup("{} {} — {}").format(
        labels.routing_action(d.get("action")),
        d.get("target") or "",
        labels.reason(d.get("reason")),
    ),
    "CallFallback": lambda d: Markup("{} ({})").format(_queue(d), d.get("reason") or "–"),
    "CallQueued": lambda d: Markup("{}, pozycja {}").format(_queue(d), d.get("position", "–")),
    "CallOffered": lambda d: Markup("{}, {}").format(_who(d, "agent"), _queue(d)),
    "CallOfferFailed": lambda d: Markup("{}: {}").format(
        _who(d, "agent"), labels.reason(d.get("reason"))
    ),
    "CallAnswered": lambda d: Markup("{}, {}, czekał {}").format(
        _who(d, "agent"), _queue(d), _secs(d, "wait_seconds")
    ),
    "CallAbandoned": lambda d: Markup("{}, czekał {}").format(_queue(d), _secs(d, "wait_seconds")),
    "CallEnded": lambda d: Markup("{}, rozmowa {}").format(
        labels.end_cause(d.get("cause")), _secs(d, "talk_seconds")
    ),
    "CallTransferred": lambda d: Markup("{}: {} → {}").format(
        labels.transfer_kind(d.get("kind")),
        _who(d, "from_agent"),
        agent_name(str(d.get("to_agent") or "")) or d.get("target") or "–",
    ),
    "ConsultRinging": lambda d: Markup("{} → {}").format(_who(d, "transferer"), _who(d, "target")),
    "ConsultAnswered": lambda d: Markup("{} → {}").format(_who(d, "transferer"), _who(d, "target")),
    "ConsultFailed": lambda d: Markup("{}: {}").format(
        _who(d, "target"), labels.reason(d.get("reason"))
    ),
    "ConsultEnded": lambda d: Markup("{} → {}").format(_who(d, "transferer"), _who(d, "target")),
    "RecordingFailed": lambda d: Markup("{}").format(d.get("detail") or d.get("reason") or ""),
    "RecordingAttached": lambda d: Markup("{} s").format(d.get("duration_seconds", "–")),
    "CaseStatusChecked": lambda d: Markup("wynik: {}").format(
        {"ok": "odczytano stan", "wrong": "błędny kod", "locked": "zablokowano"}.get(
            str(d.get("result")), str(d.get("result") or "")
        )
    ),
}


def describe(type_: str, data: Mapping[str, Any]) -> Markup:
    """What a timeline entry says, in Polish (empty for a type without details)."""
    tell = _DESCRIBE.get(type_)
    return Markup("") if tell is None else tell(data or {})


def _consult_result(code: str) -> Markup:
    """A consult ends as a leg's consult (returned, ...) or with a failed offer's reason."""
    return labels.leg_end(code) if code in labels.LEG_ENDS else labels.reason(code)


def _leg(leg: Mapping[str, Any], zone: str) -> dict[str, Any]:
    consults = [
        {**c, "target_name": agent_name(c.get("target")),
         "result_label": str(_consult_result(str(c.get("result") or ""))),
         "started_at_pl": dates.pl_time(c.get("started_at"), zone)}
        for c in leg.get("consults", [])
    ]  # fmt: skip
    return {
        **leg,
        "agent_name": agent_name(leg.get("agent")),
        "end_label": str(labels.leg_end(leg.get("end"))),
        "via_label": str(labels.transfer_kind(leg.get("via"))) if leg.get("via") else "",
        "started_at_pl": dates.pl_datetime(leg.get("started_at"), zone, seconds=True),
        "answered_at_pl": dates.pl_time(leg.get("answered_at"), zone),
        "ended_at_pl": dates.pl_time(leg.get("ended_at"), zone),
        "consults": consults,
    }


def call_detail(session: Session, call: Call, review: Review, zone: str) -> dict[str, Any]:
    """The call with its timeline, legs, recordings, wrap-ups, topics and Polish labels."""
    timeline = call_timeline(session, call.call_id)
    entries = [
        {**e, "label": str(labels.event(e["type"])), "text": str(describe(e["type"], e["data"])),
         "at_pl": dates.pl_datetime(e["at"], zone, seconds=True)}
        for e in timeline
    ]  # fmt: skip
    recordings = [
        r.as_dict()
        for r in session.scalars(
            select(Recording).where(Recording.call_id == call.call_id).order_by(Recording.id)
        )
    ]
    wrapups = [
        {**w.as_dict(), "agent_name": agent_name(w.agent),
         "saved_at_pl": dates.pl_datetime(w.saved_at, zone)}
        for w in session.scalars(
            select(CallWrapup).where(CallWrapup.call_id == call.call_id).order_by(CallWrapup.id)
        )
    ]  # fmt: skip
    tags = effective_topics(session, [call.call_id])[call.call_id]
    transcribed = session.scalars(
        select(CallTranscript.id).where(CallTranscript.call_id == call.call_id)
    ).first()
    return {
        **call.summary(),
        "agent_name": agent_name(call.agent),
        "outcome_label": str(labels.outcome(call.outcome)),
        "outcome_badge": labels.outcome_badge(call.outcome),
        "consent_label": str(labels.consent(call.recording_consent)),
        "routing_label": str(labels.routing_action(call.routing_action)),
        "reason_label": str(labels.reason(call.routing_reason)),
        "end_cause_label": str(labels.end_cause(call.end_cause)),
        "entered_at_pl": dates.pl_datetime(call.entered_at, zone, seconds=True),
        "ended_at_pl": dates.pl_datetime(call.ended_at, zone, seconds=True),
        "timeline": entries,
        "legs": [_leg(leg, zone) for leg in call_legs(timeline)],
        "recordings": recordings,
        "wrapups": wrapups,
        "topics": [{"id": t, "name": review.names.get(t, t)} for t in tags["topics"]],
        "wrapup_topics": tags["wrapup"],
        "transcribed": transcribed is not None,
    }
