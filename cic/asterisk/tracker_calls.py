"""Call transitions shared by the tracker's live handlers and its resync: answer, cancel, end.

Each function updates one :class:`~cic.asterisk.tracker_state.LiveCall` and returns the domain
events that describe the change, in the order they happened.
"""

from __future__ import annotations

from datetime import datetime

from cic.asterisk.tracker_state import ANSWERED, ENDED, LiveCall
from cic.events import (
    CallAbandoned,
    CallAnswered,
    CallEnded,
    CallOfferFailed,
    DomainEvent,
)

# Reasons carried by CallOfferFailed.
NO_ANSWER = "no_answer"
BUSY = "busy"
UNAVAILABLE = "unavailable"
REJECTED = "rejected"
AGENT_HANGUP = "agent_hangup"
CALLER_HANGUP = "caller_hangup"
ANSWERED_ELSEWHERE = "answered_elsewhere"

#: DialEnd's DialStatus (other than ANSWER) -> CallOfferFailed reason.
DIAL_STATUS_REASONS = {
    "NOANSWER": NO_ANSWER,
    "BUSY": BUSY,
    "CHANUNAVAIL": UNAVAILABLE,
    "CONGESTION": UNAVAILABLE,
    "INVALIDARGS": UNAVAILABLE,
    "CANCEL": CALLER_HANGUP,
    "DONTCALL": REJECTED,
    "TORTURE": REJECTED,
}

#: CallEnded cause for a call that vanished while the controller was disconnected.
CAUSE_LOST = "lost during AMI reconnect"


def seconds_between(start: datetime | None, end: datetime) -> float:
    """Whole elapsed time in seconds, never negative; 0 when ``start`` is unknown."""
    if start is None:
        return 0.0
    return max(0.0, (end - start).total_seconds())


def cancel_offers(call: LiveCall, at: datetime, reason: str, keep: str = "") -> list[DomainEvent]:
    """Every device still ringing with ``call`` (except ``keep``) stops: CallOfferFailed each."""
    events: list[DomainEvent] = [
        CallOfferFailed(at=at, call_id=call.call_id, queue=queue, agent=agent, reason=reason)
        for agent, queue in call.offers.items()
        if agent != keep
    ]
    call.offers.clear()
    call.settle_state()
    return events


def answer(call: LiveCall, at: datetime, queue: str, agent: str, wait: float) -> list[DomainEvent]:
    """``agent`` answered ``call``; other ringing devices stop ringing."""
    events = cancel_offers(call, at, ANSWERED_ELSEWHERE, keep=agent)
    call.state = ANSWERED
    call.queue = queue
    call.agent = agent
    call.in_queue = False
    call.answers += 1
    if call.answered_at is None:
        call.answered_at = at
    events.append(
        CallAnswered(at=at, call_id=call.call_id, queue=queue, agent=agent, wait_seconds=wait)
    )
    return events


def abandon(call: LiveCall, at: datetime, queue: str, wait: float) -> list[DomainEvent]:
    """The caller hung up while waiting in ``queue``."""
    events = cancel_offers(call, at, CALLER_HANGUP)
    call.abandoned = True
    call.in_queue = False
    events.append(CallAbandoned(at=at, call_id=call.call_id, queue=queue, wait_seconds=wait))
    return events


def end(call: LiveCall, at: datetime, cause: str, *, abandon_if_waiting: bool) -> list[DomainEvent]:
    """The resident's channel is gone: stop offers, maybe abandon, then CallEnded.

    With ``abandon_if_waiting`` a call still waiting in a queue (Asterisk's QueueCallerAbandon
    not seen) is reported abandoned first, so no abandoned call is ever counted as handled.
    """
    events = cancel_offers(call, at, CALLER_HANGUP)
    if abandon_if_waiting and call.in_queue and not call.abandoned and call.state != ANSWERED:
        wait = seconds_between(call.queued_at or call.entered_at, at)
        events.extend(abandon(call, at, call.queue, wait))
    talk = seconds_between(call.answered_at, at)
    call.state = ENDED
    call.in_queue = False
    call.legs.clear()
    call.seen.clear()
    events.append(CallEnded(at=at, call_id=call.call_id, cause=cause, talk_seconds=talk))
    return events
