"""Domain events: what happened to a call or an agent, independent of Asterisk's wording.

The AMI tracker (``cic.asterisk.tracker``) produces them; the calls and agents services
consume them, and every one is published on the bus under ``topic``.
Times are timezone-aware UTC datetimes taken from Asterisk's event timestamps.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar


@dataclass(frozen=True)
class DomainEvent:
    """Base class: every event knows its bus topic and how to become JSON."""

    topic: ClassVar[str] = "event"
    at: datetime

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict with the event type under ``type``."""
        out: dict[str, Any] = {"type": type(self).__name__}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            out[f.name] = value.isoformat() if isinstance(value, datetime) else value
        return out


class BadEvent(ValueError):
    """A dict that is not a domain event this version knows."""


def from_dict(data: dict[str, Any]) -> DomainEvent:
    """The event that ``DomainEvent.to_dict`` made ``data`` from (``BadEvent`` otherwise)."""
    cls = globals().get(str(data.get("type")))
    if not (isinstance(cls, type) and issubclass(cls, DomainEvent) and cls is not DomainEvent):
        raise BadEvent(f"unknown event type {data.get('type')!r}")
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name not in data:
            if f.default is dataclasses.MISSING:
                raise BadEvent(f"{cls.__name__} without {f.name}")
            continue
        value = data[f.name]
        if f.type in ("datetime", datetime) and isinstance(value, str):
            value = datetime.fromisoformat(value)
        kwargs[f.name] = value
    return cls(**kwargs)


@dataclass(frozen=True)
class CallEntered(DomainEvent):
    """A resident's call reached the municipal number (first channel of a linkedid)."""

    topic: ClassVar[str] = "call"
    call_id: str
    channel: str
    caller_number: str
    caller_name: str
    dialled: str


@dataclass(frozen=True)
class ConsentRecorded(DomainEvent):
    """The recording-consent outcome: given, declined, not_asked (policy never) or always."""

    topic: ClassVar[str] = "call"
    call_id: str
    consent: str


@dataclass(frozen=True)
class RecordingStarted(DomainEvent):
    """MixMonitor started; ``path`` is the path as Asterisk sees it."""

    topic: ClassVar[str] = "call"
    call_id: str
    path: str


@dataclass(frozen=True)
class RecordingFailed(DomainEvent):
    """The call was to be recorded but its recording is missing, empty or cut short (full disk).

    ``reason`` is ``missing``, ``empty`` or ``short``; ``detail`` says why in Polish (e.g. no
    space left on the recordings disk); ``free_bytes`` is what that disk had left when seen.
    Made by the controller (``cic.calls.handlers``), not by the tracker.
    """

    topic: ClassVar[str] = "call"
    call_id: str
    path: str
    reason: str
    detail: str
    expected_seconds: float
    recorded_seconds: float
    free_bytes: int


@dataclass(frozen=True)
class CallRouted(DomainEvent):
    """The routing decision the dialplan acted on (from the controller over FastAGI)."""

    topic: ClassVar[str] = "call"
    call_id: str
    action: str
    target: str
    reason: str


@dataclass(frozen=True)
class CallFallback(DomainEvent):
    """The controller was unreachable or failed: the dialplan sent the call to the first line."""

    topic: ClassVar[str] = "call"
    call_id: str
    queue: str
    reason: str


@dataclass(frozen=True)
class CallQueued(DomainEvent):
    """The call joined a queue."""

    topic: ClassVar[str] = "call"
    call_id: str
    queue: str
    position: int


@dataclass(frozen=True)
class CallOffered(DomainEvent):
    """An agent's device is ringing with this call."""

    topic: ClassVar[str] = "call"
    call_id: str
    queue: str
    agent: str


@dataclass(frozen=True)
class CallOfferFailed(DomainEvent):
    """The agent did not take the offered call (no answer, busy, rejected)."""

    topic: ClassVar[str] = "call"
    call_id: str
    queue: str
    agent: str
    reason: str


@dataclass(frozen=True)
class CallAnswered(DomainEvent):
    """An agent answered; ``wait_seconds`` is the time from queue entry (or entry) to answer."""

    topic: ClassVar[str] = "call"
    call_id: str
    queue: str
    agent: str
    wait_seconds: float


@dataclass(frozen=True)
class CallAbandoned(DomainEvent):
    """The caller hung up while waiting in a queue."""

    topic: ClassVar[str] = "call"
    call_id: str
    queue: str
    wait_seconds: float


@dataclass(frozen=True)
class CallEnded(DomainEvent):
    """The last channel of the call hung up."""

    topic: ClassVar[str] = "call"
    call_id: str
    cause: str
    talk_seconds: float


@dataclass(frozen=True)
class AgentDeviceChanged(DomainEvent):
    """An agent's device state changed (NOT_INUSE, INUSE, RINGING, UNAVAILABLE, ...)."""

    topic: ClassVar[str] = "agent"
    interface: str
    state: str


@dataclass(frozen=True)
class QueueMemberChanged(DomainEvent):
    """A queue member was added or changed (pause, status, calls taken)."""

    topic: ClassVar[str] = "agent"
    queue: str
    interface: str
    member_name: str
    paused: bool
    paused_reason: str
    status: int
    in_call: bool
    calls_taken: int


@dataclass(frozen=True)
class QueueMemberRemoved(DomainEvent):
    """A queue member was removed (agent logged out of that queue)."""

    topic: ClassVar[str] = "agent"
    queue: str
    interface: str


@dataclass(frozen=True)
class AgentCallCompleted(DomainEvent):
    """An agent finished a queue call; wrap-up starts now."""

    topic: ClassVar[str] = "agent"
    interface: str
    queue: str
    call_id: str


@dataclass(frozen=True)
class CallbackRequested(DomainEvent):
    """While queued, the resident asked to be called back (request ``request``) and hung up."""

    topic: ClassVar[str] = "call"
    call_id: str
    request: str


@dataclass(frozen=True)
class CaseStatusChecked(DomainEvent):
    """The resident keyed a case's phone code and PIN: ``result`` is ``ok`` (the status was
    read out), ``wrong`` or ``locked``; ``attempt`` counts the tries within the call."""

    topic: ClassVar[str] = "call"
    call_id: str
    result: str
    attempt: int


@dataclass(frozen=True)
class MessageLeft(DomainEvent):
    """After hours, the resident left a message; ``path`` is the path as Asterisk sees it."""

    topic: ClassVar[str] = "call"
    call_id: str
    path: str


@dataclass(frozen=True)
class ConsultRinging(DomainEvent):
    """The agent (``transferer``) started a consult: the colleague's device rings.

    The resident is on hold with music meanwhile; ``channel`` is the colleague's channel.
    """

    topic: ClassVar[str] = "call"
    call_id: str
    transferer: str
    target: str
    channel: str


@dataclass(frozen=True)
class ConsultAnswered(DomainEvent):
    """The colleague answered the consult: the agent and the colleague talk."""

    topic: ClassVar[str] = "call"
    call_id: str
    transferer: str
    target: str


@dataclass(frozen=True)
class ConsultFailed(DomainEvent):
    """The colleague did not take the consult (no answer, busy, unavailable, cancelled)."""

    topic: ClassVar[str] = "call"
    call_id: str
    transferer: str
    target: str
    reason: str


@dataclass(frozen=True)
class ConsultEnded(DomainEvent):
    """The consult is over without a transfer: the agent is back with the resident."""

    topic: ClassVar[str] = "call"
    call_id: str
    transferer: str
    target: str
    answered: bool


@dataclass(frozen=True)
class CallTransferred(DomainEvent):
    """Asterisk transferred the resident: ``kind`` is 'attended' or 'blind'.

    Attended: ``to_agent`` is the colleague now bridged with the resident. Blind: ``target`` is
    the dialplan destination ('cic-blind/q-finanse'); the new leg shows up as queue/offer
    events. ``from_agent`` is the agent who transferred.
    """

    topic: ClassVar[str] = "call"
    call_id: str
    kind: str
    from_agent: str
    to_agent: str
    target: str


@dataclass(frozen=True)
class TransferOffered(DomainEvent):
    """A transfer with its context is on its way to a colleague or a department queue.

    Published by the transfers service (not the tracker) for the receiving console's screen
    pop: who calls (``caller_number``, ``caller_name``), the first line's ``note``, the
    ``matter`` and the knowledge-base ``article`` the agent had open. ``to_agent`` is the
    colleague's interface ('' for a queue), ``to_queue`` the queue ('' for a colleague).
    """

    topic: ClassVar[str] = "agent"
    transfer_id: int
    call_id: str
    kind: str
    from_agent: str
    to_agent: str
    to_queue: str
    note: str
    caller_number: str
    caller_name: str
    matter: str
    article: str = ""
