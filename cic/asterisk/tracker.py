"""The AMI tracker: Asterisk manager events in, call/queue/device state and domain events out.

Pure: no I/O, no asyncio, no clock reads, so it is tested by replaying recorded fixtures.
``cic.asterisk.ami`` feeds it every AMI event and publishes what :meth:`Tracker.feed` returns.

Identity: a call is the Linkedid of the resident's channel. It is tracked from the dialplan's
``CicCall`` UserEvent on; channel and queue events of other linkedids (internal calls) produce
no call events. Queue members and agent devices are always tracked.

Robustness: a malformed event (missing headers, non-numeric numbers, a bad Timestamp) is
rejected whole and changes nothing; unknown events are ignored; duplicates of an event already
applied produce nothing new. :attr:`Tracker.rejected` counts rejections and
:attr:`Tracker.internal_errors` counts bugs caught by the last-resort guard (tests assert 0).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from types import MappingProxyType

from cic.asterisk import tracker_calls as calls
from cic.asterisk.tracker_agents import AgentTracker
from cic.asterisk.tracker_dialplan import DialplanEvents
from cic.asterisk.tracker_parse import (
    EPOCH,
    Malformed,
    as_utc,
    count,
    first_of,
    interface_of,
    optional,
    required,
    seconds,
    text,
    timestamp,
)
from cic.asterisk.tracker_resync import CallResync
from cic.asterisk.tracker_state import (
    ANSWERED,
    CALL_STATES,
    ENTERED,
    QUEUED,
    RINGING,
    CallBook,
    CallSnapshot,
    DialLeg,
    LiveCall,
    MemberSnapshot,
    TrackerSnapshot,
)
from cic.asterisk.tracker_transfers import TransferEvents
from cic.events import (
    AgentCallCompleted,
    CallOffered,
    CallOfferFailed,
    CallQueued,
    DomainEvent,
)

__all__ = ["CALL_STATES", "CallSnapshot", "MemberSnapshot", "Tracker", "TrackerSnapshot"]

Event = Mapping[str, str]
Handler = Callable[[Event, datetime], list[DomainEvent]]


class Tracker:
    """Folds AMI events into live state and emits :mod:`cic.events` domain events.

    ``inbound_queue_prefix`` limits the queues whose caller events count for calls ('' = all;
    members of every queue are tracked). ``resident_channel_prefix`` tells resident channels
    apart during a resync (and its trunk device is not reported as an agent device).
    ``ended_memory`` is how many ended calls are remembered to drop late duplicates and to
    report an AgentComplete that arrives after the caller's Hangup.
    """

    def __init__(
        self,
        *,
        inbound_queue_prefix: str = "",
        resident_channel_prefix: str = "PJSIP/residents-",
        ended_memory: int = 10_000,
    ) -> None:
        self._inbound_prefix = inbound_queue_prefix
        self._resident_prefix = resident_channel_prefix
        self._trunk_device = resident_channel_prefix.rstrip("-")
        self._book = CallBook(ended_memory)
        self._agents = AgentTracker(self._trunk_device)
        self._dialplan = DialplanEvents(self._book)
        self._transfers = TransferEvents(self._book)
        self._resync: CallResync | None = None
        self._now = EPOCH
        #: Events rejected as malformed (missing headers, bad numbers or Timestamp).
        self.rejected = 0
        #: Events that hit a tracker bug (caught so the AMI loop survives); should stay 0.
        self.internal_errors = 0
        self._handlers: dict[str, Handler] = {
            "UserEvent": self._dialplan.on_user_event,
            "QueueCallerJoin": self._on_caller_join,
            "QueueCallerLeave": self._on_caller_leave,
            "QueueCallerAbandon": self._on_caller_abandon,
            "AgentCalled": self._on_agent_called,
            "AgentRingNoAnswer": self._on_agent_ring_no_answer,
            "AgentDump": self._on_agent_dump,
            "AgentConnect": self._on_agent_connect,
            "AgentComplete": self._on_agent_complete,
            "DialBegin": self._on_dial_begin,
            "DialEnd": self._on_dial_end,
            "Hangup": self._on_hangup,
            "CoreShowChannel": self._on_core_show_channel,
            "QueueEntry": self._on_queue_entry,
            **self._agents.handlers(),
            **self._transfers.handlers(),
        }

    # ------------------------------------------------------------------ public API

    def feed(
        self, event: Mapping[str, str], received_at: datetime | None = None
    ) -> list[DomainEvent]:
        """Apply one AMI event; return the domain events it caused (often none).

        The event's time is its ``Timestamp`` header (manager.conf ``timestampevents=yes``),
        else ``received_at``, else the last time seen. Never raises.
        """
        try:
            name = text(event, "Event")
            if not name:
                raise Malformed("Event")
            at = self._event_time(event, received_at)
            handler = self._handlers.get(name)
            produced = handler(event, at) if handler is not None else []
            self._now = at
            return produced
        except Malformed:
            self.rejected += 1
            return []
        except Exception:  # last resort: a tracker bug must not stop the AMI loop
            self.internal_errors += 1
            return []

    def begin_resync(self) -> None:
        """The controller (re)connected: set calls and members aside until the lists confirm them.

        Feed the CoreShowChannel, QueueParams/QueueMember/QueueEntry (and DeviceStateList's
        DeviceStateChange) events next, live events as they come, then call :meth:`end_resync`.
        """
        started_at = self._resync.started_at if self._resync is not None else self._now
        self._book.set_aside()
        self._agents.set_aside()
        self._resync = CallResync(
            self._book,
            started_at=started_at,
            resident_prefix=self._resident_prefix,
            trunk_device=self._trunk_device,
            inbound=self._inbound,
        )

    def end_resync(self) -> list[DomainEvent]:
        """After the resync lists: report what changed while the controller was not looking.

        Known calls found bridged but not known answered -> CallAnswered (time estimated from
        the agent channel's Duration); known calls no longer in Asterisk -> CallEnded with cause
        ``tracker_calls.CAUSE_LOST`` at the last time seen before the resync; members no longer
        listed -> QueueMemberRemoved. Calls first met in the lists produce nothing.
        """
        resync, self._resync = self._resync, None
        if resync is None:
            return []
        return resync.finish(self._now) + self._agents.take_unlisted(self._now)

    def call(self, call_id: str) -> CallSnapshot | None:
        """One live call now (None when it is not live), without copying the others."""
        call = self._book.live.get(call_id)
        return call.snapshot() if call is not None else None

    def live_call_ids(self) -> frozenset[str]:
        """Ids of the calls live now."""
        return frozenset(self._book.live)

    def snapshot(self) -> TrackerSnapshot:
        """An immutable copy of the live calls, queue members and agent device states."""
        live = self._book.live
        return TrackerSnapshot(
            calls=MappingProxyType({cid: call.snapshot() for cid, call in live.items()}),
            members=MappingProxyType(dict(self._agents.members)),
            devices=MappingProxyType(dict(self._agents.devices)),
        )

    # ------------------------------------------------------------------ plumbing

    def _event_time(self, event: Event, received_at: datetime | None) -> datetime:
        raw = event.get("Timestamp")
        if raw is not None:
            if not isinstance(raw, str):
                raise Malformed("Timestamp")
            return timestamp(raw)
        if received_at is not None:
            return as_utc(received_at)
        return self._now

    def _inbound(self, queue: str) -> bool:
        return queue.startswith(self._inbound_prefix)

    def _on_core_show_channel(self, event: Event, at: datetime) -> list[DomainEvent]:
        return self._resync.on_core_show_channel(event, at) if self._resync is not None else []

    def _on_queue_entry(self, event: Event, at: datetime) -> list[DomainEvent]:
        return self._resync.on_queue_entry(event, at) if self._resync is not None else []

    # ------------------------------------------------------------------ queue caller events

    def _queue_call(self, event: Event) -> tuple[str, LiveCall | None]:
        """(queue, tracked call or None) of a queue event about the caller's channel."""
        queue, call_id = required(event, "Queue"), required(event, "Linkedid")
        return queue, self._book.find(call_id)

    def _on_caller_join(self, event: Event, at: datetime) -> list[DomainEvent]:
        position = count(event, "Position")
        queue, call = self._queue_call(event)
        if call is None:
            return []
        if not self._inbound(queue):
            call.in_foreign_queue = True
            return []
        if call.in_queue and call.queue == queue:
            return []
        call.in_queue, call.abandoned = True, False
        call.queue, call.queued_at, call.agent = queue, at, ""
        call.state = RINGING if call.offers else QUEUED
        return [CallQueued(at=at, call_id=call.call_id, queue=queue, position=position)]

    def _on_caller_leave(self, event: Event, at: datetime) -> list[DomainEvent]:
        queue, call = self._queue_call(event)
        if call is None:
            return []
        if not self._inbound(queue):
            call.in_foreign_queue = False
        elif call.in_queue and call.queue == queue:
            call.in_queue = False
            if call.state == QUEUED:
                call.state = ENTERED
        return []

    def _on_caller_abandon(self, event: Event, at: datetime) -> list[DomainEvent]:
        hold = seconds(event, "HoldTime")
        queue, call = self._queue_call(event)
        if call is None:
            return []
        if not self._inbound(queue):
            call.in_foreign_queue = False
            return []
        if call.abandoned or call.state == ANSWERED:
            return []
        wait = hold if hold is not None else calls.seconds_between(call.queued_at, at)
        return calls.abandon(call, at, queue, wait)

    def _member_call(self, event: Event) -> tuple[str, str, LiveCall | None]:
        """(queue, member interface, tracked call or None) of an Agent* event."""
        interface = required(event, "Interface")
        queue, call = self._queue_call(event)
        return queue, interface, (call if self._inbound(queue) else None)

    def _on_agent_called(self, event: Event, at: datetime) -> list[DomainEvent]:
        queue, agent, call = self._member_call(event)
        if call is None or not call.in_queue or agent in call.offers:
            return []
        call.offers[agent] = queue
        call.state = RINGING
        return [CallOffered(at=at, call_id=call.call_id, queue=queue, agent=agent)]

    def _offer_failed(self, event: Event, at: datetime, reason: str) -> list[DomainEvent]:
        queue, agent, call = self._member_call(event)
        if call is None or agent not in call.offers:
            return []
        del call.offers[agent]
        call.settle_state()
        return [
            CallOfferFailed(at=at, call_id=call.call_id, queue=queue, agent=agent, reason=reason)
        ]

    def _on_agent_ring_no_answer(self, event: Event, at: datetime) -> list[DomainEvent]:
        seconds(event, "RingTime")  # validated only
        return self._offer_failed(event, at, calls.NO_ANSWER)

    def _on_agent_dump(self, event: Event, at: datetime) -> list[DomainEvent]:
        return self._offer_failed(event, at, calls.AGENT_HANGUP)

    def _on_agent_connect(self, event: Event, at: datetime) -> list[DomainEvent]:
        hold = seconds(event, "HoldTime")
        queue, agent, call = self._member_call(event)
        if call is None or (call.state == ANSWERED and call.agent == agent and call.queue == queue):
            return []
        wait = (
            hold
            if hold is not None
            else calls.seconds_between(call.queued_at or call.entered_at, at)
        )
        call.agent_channel = optional(event, "DestChannel")
        return calls.answer(call, at, queue, agent, wait)

    def _on_agent_complete(self, event: Event, at: datetime) -> list[DomainEvent]:
        queue, agent = required(event, "Queue"), required(event, "Interface")
        call_id = required(event, "Linkedid")
        if not self._inbound(queue):
            return []
        call = self._book.find(call_id) or self._book.ended.get(call_id)
        if call is None or (agent, queue, call.answers) in call.completed:
            return []
        call.completed.add((agent, queue, call.answers))
        return [AgentCallCompleted(at=at, interface=agent, queue=queue, call_id=call_id)]

    # ------------------------------------------------------------------ Dial() and Hangup

    def _resident_dial(self, event: Event) -> tuple[str, LiveCall | None]:
        """(DestUniqueid, call) of a Dial event whose caller side is a resident's own channel."""
        uniqueid, linkedid = required(event, "Uniqueid"), required(event, "Linkedid")
        dest = required(event, "DestUniqueid")
        return dest, (self._book.find(linkedid) if uniqueid == linkedid else None)

    def _on_dial_begin(self, event: Event, at: datetime) -> list[DomainEvent]:
        if not event.get("Channel") and event.get("DestChannel"):
            return []  # Asterisk itself dials (the consult's Local channel): no caller side
        if self._transfers.is_consult_dial(event):
            return self._transfers.on_consult_dial_begin(event, at)
        agent = interface_of(required(event, "DestChannel"))
        dest, call = self._resident_dial(event)
        if call is None or dest in call.legs:
            return []
        reported = not (call.in_queue or call.in_foreign_queue or agent in call.offers)
        call.legs[dest] = DialLeg(interface=agent, reported=reported)
        if not reported:
            return []
        call.offers[agent] = ""
        call.state = RINGING
        return [CallOffered(at=at, call_id=call.call_id, queue="", agent=agent)]

    def _on_dial_end(self, event: Event, at: datetime) -> list[DomainEvent]:
        if not event.get("Channel") and event.get("DestChannel"):
            return []
        if self._transfers.is_consult_dial(event):
            return self._transfers.on_consult_dial_end(event, at)
        status = required(event, "DialStatus")
        dest, call = self._resident_dial(event)
        leg = call.legs.pop(dest, None) if call is not None else None
        if call is None or leg is None or not leg.reported or leg.interface not in call.offers:
            return []
        if status == "ANSWER":
            wait = calls.seconds_between(call.entered_at, at)
            call.agent_channel = optional(event, "DestChannel")
            return calls.answer(call, at, "", leg.interface, wait)
        del call.offers[leg.interface]
        call.settle_state()
        reason = calls.DIAL_STATUS_REASONS.get(status, status.lower())
        return [
            CallOfferFailed(
                at=at, call_id=call.call_id, queue="", agent=leg.interface, reason=reason
            )
        ]

    def _on_hangup(self, event: Event, at: datetime) -> list[DomainEvent]:
        uniqueid, linkedid = required(event, "Uniqueid"), required(event, "Linkedid")
        cause = first_of(event, "Cause-txt", "Cause") or ""
        call = self._book.find(uniqueid) if uniqueid == linkedid else None
        if call is None:
            return []
        events = calls.end(call, at, cause, abandon_if_waiting=True)
        self._book.close(call)
        return events
