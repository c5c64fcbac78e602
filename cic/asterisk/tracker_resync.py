"""Rebuilding calls after the controller (re)connects (``Tracker.begin_resync``/``end_resync``).

The controller asks Asterisk for CoreShowChannels and QueueStatus while live events keep
arriving. Calls known before are set aside in the :class:`~cic.asterisk.tracker_state.CallBook`
as unconfirmed; a CoreShowChannel row, a QueueEntry row or any live event about a call confirms
it. At the end, known calls found bridged but not known answered are reported answered, and
calls still unconfirmed are reported ended. Calls first met in the lists (the controller itself
restarted: the database already has them) are rebuilt silently so their Hangup ends them right.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from cic.asterisk import tracker_calls as calls
from cic.asterisk.tracker_parse import (
    caller_id,
    clock_duration,
    count,
    interface_of,
    optional,
    required,
    seconds,
)
from cic.asterisk.tracker_state import ANSWERED, QUEUED, RINGING, CallBook, LiveCall
from cic.events import DomainEvent

Event = Mapping[str, str]


@dataclass(frozen=True, slots=True)
class BridgePeer:
    """A non-resident channel found in a bridge (normally the agent's leg)."""

    interface: str
    duration: float | None
    channel: str = ""


class CallResync:
    """One resync of the calls: collects the list rows, then settles what they showed."""

    def __init__(
        self,
        book: CallBook,
        *,
        started_at: datetime,
        resident_prefix: str,
        trunk_device: str,
        inbound: Callable[[str], bool],
    ) -> None:
        self._book = book
        self.started_at = started_at
        self._resident_prefix = resident_prefix
        self._trunk_device = trunk_device
        self._inbound = inbound
        self._bridges: dict[str, str] = {}  # resident call id -> BridgeId
        self._peers: dict[str, list[BridgePeer]] = {}  # BridgeId -> other channels in it
        self._entries: dict[str, tuple[str, datetime]] = {}  # Uniqueid -> (queue, queued_at)

    def on_core_show_channel(self, event: Event, at: datetime) -> list[DomainEvent]:
        """One channel from CoreShowChannels: a resident's call, or a peer in some bridge."""
        channel, uniqueid = required(event, "Channel"), required(event, "Uniqueid")
        linkedid, bridge_id = required(event, "Linkedid"), optional(event, "BridgeId")
        duration = clock_duration(event, "Duration")
        number, name = caller_id(event, "CallerIDNum"), caller_id(event, "CallerIDName")
        if uniqueid != linkedid or not channel.startswith(self._resident_prefix):
            if bridge_id:
                peer = BridgePeer(interface_of(channel), duration, channel)
                self._peers.setdefault(bridge_id, []).append(peer)
            return []
        if uniqueid in self._book.ended:
            return []
        call = self._book.find(uniqueid)
        if call is None:
            entered = at - timedelta(seconds=duration) if duration is not None else at
            call = LiveCall(
                call_id=uniqueid,
                channel=channel,
                caller_number=number,
                caller_name=name,
                dialled="",
                entered_at=entered,
                recovered=True,
            )
            self._book.add(call)
        self._bridges[uniqueid] = bridge_id
        if bridge_id and call.recovered and call.state != ANSWERED:
            call.state, call.answered_at = ANSWERED, call.entered_at  # refined in finish()
        entry = self._entries.pop(uniqueid, None)
        if entry is not None:
            _apply_entry(call, *entry)
        return []

    def on_queue_entry(self, event: Event, at: datetime) -> list[DomainEvent]:
        """One waiting caller from QueueStatus (its Uniqueid is the resident channel's)."""
        queue, uniqueid = required(event, "Queue"), required(event, "Uniqueid")
        wait = seconds(event, "Wait")
        count(event, "Position")  # validated only
        if not self._inbound(queue) or uniqueid in self._book.ended:
            return []
        queued_at = at - timedelta(seconds=wait) if wait is not None else at
        call = self._book.find(uniqueid)
        if call is None:
            self._entries[uniqueid] = (queue, queued_at)
        else:
            _apply_entry(call, queue, queued_at)
        return []

    def finish(self, now: datetime) -> list[DomainEvent]:
        """Report missed answers of known calls, then end the calls nothing confirmed."""
        events: list[DomainEvent] = []
        for call_id, bridge_id in self._bridges.items():
            call = self._book.live.get(call_id)
            if call is not None and bridge_id:
                events.extend(self._settle_bridged(call, self._agent_in(bridge_id), now))
        for call in self._book.take_unconfirmed():
            events.extend(
                calls.end(call, self.started_at, calls.CAUSE_LOST, abandon_if_waiting=False)
            )
            self._book.close(call)
        return events

    def _agent_in(self, bridge_id: str) -> BridgePeer | None:
        """The agent's leg in a bridge: a PJSIP device other than the residents' trunk."""
        candidates = self._peers.get(bridge_id, [])
        for peer in candidates:
            if peer.interface.startswith("PJSIP/") and peer.interface != self._trunk_device:
                return peer
        return candidates[0] if candidates else None

    @staticmethod
    def _settle_bridged(
        call: LiveCall, peer: BridgePeer | None, now: datetime
    ) -> list[DomainEvent]:
        """A call shown in a bridge: fill in its agent; report an answer we did not see."""
        agent = peer.interface if peer is not None else ""
        if peer is not None and peer.channel and agent == (call.agent or agent):
            call.agent_channel = peer.channel
        estimate = None
        if peer is not None and peer.duration is not None:
            estimate = max(call.entered_at, now - timedelta(seconds=peer.duration))
        if call.recovered:
            call.agent = agent or call.agent
            call.answered_at = estimate or call.answered_at
            return []
        if call.state == ANSWERED:
            call.agent = call.agent or agent
            return []
        answered_at = estimate or now
        queue = call.offers.get(agent, call.queue if call.in_queue else "")
        wait = calls.seconds_between(call.queued_at or call.entered_at, answered_at)
        return calls.answer(call, answered_at, queue, agent, wait)


def _apply_entry(call: LiveCall, queue: str, queued_at: datetime) -> None:
    """QueueStatus shows ``call`` waiting in ``queue``."""
    if call.queue != queue or call.queued_at is None:
        call.queued_at = queued_at
    call.queue, call.in_queue = queue, True
    if call.state != RINGING:
        call.state = QUEUED
