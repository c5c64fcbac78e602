"""What the AMI tracker knows: immutable public snapshots and its internal per-call records.

The public types (:class:`CallSnapshot`, :class:`MemberSnapshot`, :class:`TrackerSnapshot`) are
frozen and safe to hand to other tasks. :class:`LiveCall` and :class:`DialLeg` are the
tracker's own mutable bookkeeping and are not part of its API.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from cic.events import QueueMemberChanged

#: Call states, in the order a call normally goes through them.
ENTERED = "entered"
QUEUED = "queued"
RINGING = "ringing"
ANSWERED = "answered"
ENDED = "ended"
CALL_STATES = (ENTERED, QUEUED, RINGING, ANSWERED, ENDED)


@dataclass(frozen=True, slots=True)
class CallSnapshot:
    """One resident call as the tracker sees it now.

    ``state`` is one of :data:`CALL_STATES`; ``queue`` is the queue the call is in or was
    answered from ('' for a direct Dial); ``agent`` is the answering (or last) member
    interface such as 'PJSIP/agent-anna'; ``channel`` is the resident's channel name,
    ``agent_channel`` the agent's own channel (what transfers act on) and ``consulting`` the
    colleague's interface while the agent consults them ('' otherwise).
    """

    call_id: str
    caller_number: str
    caller_name: str
    dialled: str
    state: str
    queue: str
    agent: str
    entered_at: datetime
    queued_at: datetime | None
    answered_at: datetime | None
    channel: str = ""
    agent_channel: str = ""
    consulting: str = ""


@dataclass(frozen=True, slots=True)
class MemberSnapshot:
    """One queue member (an agent's interface in one queue); ``status`` is Asterisk's device
    state number (1 not in use, 2 in use, 5 unavailable, 6 ringing, ...)."""

    queue: str
    interface: str
    member_name: str
    paused: bool
    paused_reason: str
    status: int
    in_call: bool
    calls_taken: int

    def changed_event(self, at: datetime) -> QueueMemberChanged:
        """The domain event announcing this member state."""
        return QueueMemberChanged(
            at=at,
            queue=self.queue,
            interface=self.interface,
            member_name=self.member_name,
            paused=self.paused,
            paused_reason=self.paused_reason,
            status=self.status,
            in_call=self.in_call,
            calls_taken=self.calls_taken,
        )


@dataclass(frozen=True, slots=True)
class TrackerSnapshot:
    """Everything live at one moment; the mappings are read-only views of private copies."""

    calls: Mapping[str, CallSnapshot]
    members: Mapping[tuple[str, str], MemberSnapshot]
    devices: Mapping[str, str]


@dataclass(slots=True)
class DialLeg:
    """One outgoing leg dialled from the resident's channel (DialBegin until DialEnd).

    ``reported`` legs come from a dialplan Dial() and produce offer events; legs dialled by
    app_queue are covered by AgentCalled/AgentConnect instead.
    """

    interface: str
    reported: bool


@dataclass(slots=True)
class Consult:
    """An agent's consult with a colleague while the resident waits on hold (Atxfer)."""

    transferer: str
    transferer_channel: str
    target: str
    target_channel: str
    #: The Local channel (';2' side) that dials the colleague from the consult context.
    local: str
    answered: bool = False
    failed: bool = False
    #: The agent left while the colleague still rang: Asterisk already handed them the call.
    blond: bool = False


@dataclass(slots=True)
class LiveCall:
    """The tracker's mutable record of one resident call."""

    call_id: str
    channel: str
    caller_number: str
    caller_name: str
    dialled: str
    entered_at: datetime
    state: str = ENTERED
    queue: str = ""
    agent: str = ""
    queued_at: datetime | None = None
    answered_at: datetime | None = None
    in_queue: bool = False
    #: In a queue outside ``inbound_queue_prefix``: no call events, but its dials are no offers.
    in_foreign_queue: bool = False
    abandoned: bool = False
    #: True when rebuilt from CoreShowChannel without having seen the call before.
    recovered: bool = False
    #: Number of answers so far (a call re-queued by a transfer can be answered again).
    answers: int = 0
    #: interface -> queue ('' for a direct Dial) of the devices ringing with this call now.
    offers: dict[str, str] = field(default_factory=dict)
    #: DestUniqueid -> leg, for DialBegin/DialEnd pairing.
    legs: dict[str, DialLeg] = field(default_factory=dict)
    #: Dialplan UserEvents already turned into domain events (duplicates are dropped).
    seen: set[tuple[str, ...]] = field(default_factory=set)
    #: (interface, queue, answer number) of AgentComplete events already reported.
    completed: set[tuple[str, str, int]] = field(default_factory=set)
    #: The answering agent's own channel (transfers act on it) and the resident's bridge.
    agent_channel: str = ""
    bridge: str = ""
    #: The consult in progress, if any.
    consult: Consult | None = None

    def settle_state(self) -> None:
        """After offers went away without an answer: back to queued (or entered)."""
        if self.state == RINGING and not self.offers:
            self.state = QUEUED if self.in_queue else ENTERED

    def snapshot(self) -> CallSnapshot:
        """An immutable copy for :class:`TrackerSnapshot`."""
        return CallSnapshot(
            call_id=self.call_id,
            caller_number=self.caller_number,
            caller_name=self.caller_name,
            dialled=self.dialled,
            state=self.state,
            queue=self.queue,
            agent=self.agent,
            entered_at=self.entered_at,
            queued_at=self.queued_at,
            answered_at=self.answered_at,
            channel=self.channel,
            agent_channel=self.agent_channel,
            consulting=self.consult.target if self.consult is not None else "",
        )


class CallBook:
    """The live calls, the recently ended ones, and those awaiting confirmation in a resync.

    ``ended`` remembers the last ``ended_memory`` ended calls so late duplicates are dropped
    and an AgentComplete after the caller's Hangup can still be reported.
    """

    def __init__(self, ended_memory: int) -> None:
        self.live: dict[str, LiveCall] = {}
        self.ended: dict[str, LiveCall] = {}
        self.unconfirmed: dict[str, LiveCall] = {}
        self._ended_memory = max(1, ended_memory)

    def find(self, call_id: str) -> LiveCall | None:
        """The live call; an unconfirmed one is confirmed (made live) by being looked up."""
        call = self.live.get(call_id)
        if call is None and self.unconfirmed:
            call = self.unconfirmed.pop(call_id, None)
            if call is not None:
                self.live[call_id] = call
        return call

    def add(self, call: LiveCall) -> None:
        """Start tracking ``call``."""
        self.live[call.call_id] = call

    def close(self, call: LiveCall) -> None:
        """``call`` ended: move it to the bounded memory of ended calls."""
        self.live.pop(call.call_id, None)
        self.unconfirmed.pop(call.call_id, None)
        self.ended[call.call_id] = call
        if len(self.ended) > self._ended_memory:
            del self.ended[next(iter(self.ended))]

    def set_aside(self) -> None:
        """Resync begins: every live call waits for confirmation."""
        self.unconfirmed.update(self.live)
        self.live = {}

    def take_unconfirmed(self) -> list[LiveCall]:
        """Resync ends: the calls nothing confirmed (they are no longer unconfirmed)."""
        gone = list(self.unconfirmed.values())
        self.unconfirmed = {}
        return gone
