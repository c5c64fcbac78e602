"""The transfer rules: start a consult or a blind transfer, complete or cancel a consult.

The controller drives every transfer over AMI on the agent's own channel, so a browser (JsSIP)
agent and a desk phone transfer the same way:

- consult: Setvar ``__CIC_XFER_*`` on the agent's channel, then Atxfer to ``cic-consult``/1
  (the resident hears hold music, the colleague's phone rings);
- cancel / return: CancelAtxfer (Asterisk's ``atxferabort``): the agent is back with the
  resident and the colleague's leg ends;
- complete: Hangup of the agent's channel; Asterisk completes an attended transfer when the
  transferer hangs up, and confirms with AttendedTransfer (tracker: CallTransferred);
- blind: BlindTransfer of the agent's channel to ``cic-blind``/``q-<queue>`` or ``a-<user>``.

One open transfer per call: a per-call asyncio lock (a double click gets 409 at once, without
waiting) and the store's unique ``active_call_id`` (another console or controller process).
Asterisk's events (:mod:`cic.asterisk.tracker_transfers`) confirm or end each transfer and
are kept as its legs.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy.exc import IntegrityError

from cic import events as ev
from cic.asterisk import dialplan
from cic.asterisk.tracker import CallSnapshot
from cic.bus import Bus
from cic.db import Store
from cic.transfers import store as db
from cic.transfers.errors import (
    CallNotLive,
    InvalidTransfer,
    NobodyFree,
    NoOpenTransfer,
    NotYourCall,
    PbxRefused,
    TransferInProgress,
)
from cic.transfers.machine import BLIND, CONSULTING, advance, can
from cic.transfers.schemas import TARGET_NAME, TransferOut, TransferWithLegs

log = logging.getLogger(__name__)

NOTE_LENGTH = 2000


class TransferPbx(Protocol):
    """The AMI operations transfers need (``cic.asterisk.actions.AmiActions``)."""

    async def set_var(self, channel: str, name: str, value: str) -> None: ...
    async def atxfer(self, channel: str, context: str, exten: str) -> None: ...
    async def cancel_atxfer(self, channel: str) -> None: ...
    async def blind_transfer(self, channel: str, context: str, exten: str) -> None: ...
    async def hangup(self, channel: str) -> None: ...


LiveCall = Callable[[str], CallSnapshot | None]
AgentInterface = Callable[[str], str | None]
QueueExists = Callable[[str], Awaitable[bool]]
FreeMember = Callable[[str, str], str | None]


def no_free_member(_queue: str, _exclude: str) -> str | None:
    """The default ``free_member``: nobody (consults with a queue are refused)."""
    return None


class TransferService:
    """Transfers of live calls: commands from consoles, confirmations from Asterisk.

    ``live_call(call_id)`` is the tracker's view of the call (agent channel, consult);
    ``agent_interface(username)`` the colleague's device ('PJSIP/agent-x') or None;
    ``queue_exists(name)`` whether a department queue exists; ``free_member(queue, exclude)``
    the interface of the queue's member free longest (not ``exclude``), for a consult with a
    department ("whoever is free in Finanse"); ``ring_seconds`` how long a colleague's phone
    rings in a consult before the agent gets the resident back.
    """

    def __init__(
        self,
        store: Store,
        bus: Bus,
        pbx: TransferPbx,
        live_call: LiveCall,
        agent_interface: AgentInterface,
        queue_exists: QueueExists,
        *,
        free_member: FreeMember = no_free_member,
        ring_seconds: int = 15,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store = store
        self.bus = bus
        self.pbx = pbx
        self.live_call = live_call
        self.agent_interface = agent_interface
        self.queue_exists = queue_exists
        self.free_member = free_member
        self.ring_seconds = ring_seconds
        self.clock = clock
        self._locks: dict[str, asyncio.Lock] = {}

    # ------------------------------------------------------------------ commands

    async def start(
        self,
        call_id: str,
        kind: str,
        target: Any,
        note: str = "",
        *,
        requested_by: str = "",
        requester: str | None = None,
        matter: str = "",
        article: str = "",
    ) -> TransferOut:
        """Start a consult or blind transfer of ``call_id``; returns the stored transfer.

        ``requester`` is the interface of the agent asking ('PJSIP/agent-x'), None for a
        supervisor (who may transfer any live call).
        """
        if kind not in ("consult", "blind"):
            raise InvalidTransfer("Rodzaj przekazania: consult albo blind.")
        if not isinstance(note, str):
            raise InvalidTransfer("Notatka musi być tekstem.")
        target_kind, name = _target(target)
        async with self._lock(call_id):
            call = self._live(call_id, requester)
            interface = await self._resolve(target_kind, name, call)
            if kind == "consult" and target_kind == "queue":
                interface = self.free_member(name, call.agent) or ""
                if not interface:
                    raise NobodyFree()
            fields = {
                "call_id": call_id, "kind": kind,
                "state": CONSULTING if kind == "consult" else BLIND,
                "from_agent": call.agent, "from_channel": call.agent_channel,
                "target_kind": target_kind, "target": name, "target_interface": interface,
                "note": note[:NOTE_LENGTH], "caller_number": call.caller_number,
                "caller_name": call.caller_name, "matter": matter[:128], "article": article[:128],
                "requested_by": requested_by[:64],
            }  # fmt: skip
            transfer = await self._open(fields)
            try:
                if kind == "consult":
                    await self._consult(call.agent_channel, transfer["id"], interface)
                else:
                    exten = f"q-{name}" if target_kind == "queue" else f"a-{name}"
                    await self.pbx.blind_transfer(call.agent_channel, dialplan.BLIND_CONTEXT, exten)
            except Exception as exc:
                await self._apply(transfer, "pbx_refused", str(exc))
                log.warning("transfer %s of call %s refused: %s", transfer["id"], call_id, exc)
                raise PbxRefused() from exc
        await self._offer(transfer)
        return transfer

    async def complete(self, call_id: str, requester: str | None = None) -> TransferOut:
        """The agent leaves the consult: Asterisk bridges the resident with the colleague."""
        async with self._lock(call_id):
            transfer = await self._open_consult(call_id, requester)
            advance(transfer["state"], "complete")  # 409 before touching Asterisk
            transfer = await self._apply(transfer, "complete")
            try:
                await self.pbx.hangup(self._channel(transfer))
            except Exception as exc:
                await self._apply(transfer, "pbx_refused", str(exc))
                raise PbxRefused() from exc
            return transfer

    async def cancel(self, call_id: str, requester: str | None = None) -> TransferOut:
        """The agent goes back to the resident; the colleague's leg ends.

        The transfer ends ``returned`` when the colleague had answered, ``cancelled`` when
        their phone was still ringing.
        """
        async with self._lock(call_id):
            transfer = await self._open_consult(call_id, requester)
            live = self.live_call(call_id)
            answered = await self._answered(transfer["id"])
            name = "return" if answered else "cancel"
            advance(transfer["state"], name)
            try:
                await self.pbx.cancel_atxfer(self._channel(transfer, live))
            except Exception as exc:
                raise PbxRefused() from exc
            return await self._apply(transfer, name)

    async def for_call(self, call_id: str) -> list[TransferWithLegs]:
        """Every transfer of ``call_id`` with its legs, oldest first."""
        return await self.store.run(lambda s: db.for_call(s, call_id))

    # ------------------------------------------------------------------ Asterisk's word

    async def on_event(self, event: ev.DomainEvent) -> None:
        """AMI sink: consult legs and transfers confirmed or ended by Asterisk.

        Waits for a command on the same call to finish first (its AMI reply and its own step),
        so Asterisk's confirmation never races the console's command. The leg is kept on the
        call's latest transfer even after it ended (e.g. the agent's return after a cancel).
        """
        call_id = getattr(event, "call_id", None)
        if not isinstance(call_id, str) or not isinstance(event, _WATCHED):
            return
        try:
            async with self._locks.setdefault(call_id, asyncio.Lock()):
                transfer = await self.store.run(lambda s: db.latest_for_call(s, call_id))
                if transfer is not None:
                    await self._record(transfer, event)
        finally:  # also when the store failed (an outage): no lock kept per ended call
            if isinstance(event, ev.CallEnded):
                lock = self._locks.get(call_id)
                if lock is not None and not lock.locked():
                    del self._locks[call_id]

    async def _record(self, transfer: TransferOut, event: ev.DomainEvent) -> None:
        step, leg = _meaning(event)
        if leg is not None:
            party, detail = leg
            tid, name = transfer["id"], type(event).__name__
            await self.store.run(lambda s: db.add_leg(s, tid, event.at, name, party, detail))
        if step and can(transfer["state"], step):
            await self._apply(transfer, step, _reason(event), at=event.at)

    # ------------------------------------------------------------------ helpers

    def _lock(self, call_id: str) -> asyncio.Lock:
        """The call's lock for a command: 409 at once when another command holds it."""
        lock = self._locks.setdefault(call_id, asyncio.Lock())
        if lock.locked():
            raise TransferInProgress()
        return lock

    def _live(self, call_id: str, requester: str | None) -> CallSnapshot:
        call = self.live_call(call_id)
        if call is None or call.state != "answered" or not call.agent_channel:
            raise CallNotLive()
        if requester is not None and requester != call.agent:
            raise NotYourCall()
        if call.consulting:
            raise TransferInProgress()
        return call

    async def _resolve(self, target_kind: str, name: str, call: CallSnapshot) -> str:
        if target_kind == "queue":
            if not await self.queue_exists(name):
                raise InvalidTransfer(f"Nie ma kolejki {name!r}.")
            return ""
        interface = self.agent_interface(name)
        if interface is None:
            raise InvalidTransfer(f"Nie ma konsultanta {name!r}.")
        if interface == call.agent:
            raise InvalidTransfer("Nie można przekazać rozmowy samemu sobie.")
        return interface

    async def _open(self, fields: dict[str, Any]) -> TransferOut:
        at = self.clock()
        try:
            return await self.store.run(lambda s: db.open_transfer(s, fields, at))
        except IntegrityError:
            raise TransferInProgress() from None

    async def _consult(self, channel: str, transfer_id: int, interface: str) -> None:
        await self.pbx.set_var(channel, dialplan.inherited(dialplan.XFER_ID), str(transfer_id))
        await self.pbx.set_var(channel, dialplan.inherited(dialplan.XFER_DEST), interface)
        await self.pbx.set_var(
            channel, dialplan.inherited(dialplan.XFER_RING), str(self.ring_seconds)
        )
        await self.pbx.atxfer(channel, dialplan.CONSULT_CONTEXT, "1")

    async def _open_consult(self, call_id: str, requester: str | None) -> TransferOut:
        transfer = await self.store.run(lambda s: db.open_for_call(s, call_id))
        if transfer is None or transfer["kind"] != "consult":
            raise NoOpenTransfer()
        if requester is not None and requester != transfer["from_agent"]:
            raise NotYourCall()
        return transfer

    def _channel(self, transfer: TransferOut, live: CallSnapshot | None = None) -> str:
        return str(transfer.get("from_channel") or (live.agent_channel if live else ""))

    async def _answered(self, transfer_id: int) -> bool:
        steps = await self.store.run(lambda s: db.leg_steps(s, transfer_id))
        return "ConsultAnswered" in steps

    async def _apply(
        self, transfer: TransferOut, step: str, reason: str = "", at: datetime | None = None
    ) -> TransferOut:
        when = at or self.clock()
        tid, version = transfer["id"], transfer["version"]
        updated = await self.store.run(lambda s: db.step(s, tid, version, step, when, reason))
        await self.bus.publish("transfer", {"type": "TransferChanged", "transfer": updated})
        return updated

    async def _offer(self, transfer: TransferOut) -> None:
        offered = ev.TransferOffered(
            at=self.clock(),
            transfer_id=transfer["id"],
            call_id=transfer["call_id"],
            kind=transfer["kind"],
            from_agent=transfer["from_agent"],
            to_agent=transfer["target_interface"],
            to_queue=transfer["target"].get("queue", ""),
            note=transfer["note"],
            caller_number=transfer["caller_number"],
            caller_name=transfer["caller_name"],
            matter=transfer["matter"],
            article=transfer.get("article", ""),
        )
        await self.bus.publish(offered.topic, offered.to_dict())


_WATCHED = (
    ev.ConsultRinging,
    ev.ConsultAnswered,
    ev.ConsultFailed,
    ev.ConsultEnded,
    ev.CallTransferred,
    ev.CallEnded,
)


def _target(target: Any) -> tuple[str, str]:
    if not isinstance(target, dict) or len(target) != 1:
        raise InvalidTransfer('Cel: {"agent": nazwa} albo {"queue": nazwa}.')
    [(kind, name)] = target.items()
    if kind not in ("agent", "queue") or not isinstance(name, str) or not name:
        raise InvalidTransfer('Cel: {"agent": nazwa} albo {"queue": nazwa}.')
    if not re.fullmatch(TARGET_NAME, name) or len(name) > 64:
        raise InvalidTransfer("Nazwa celu: litery, cyfry, - i _ (do 64 znaków).")
    return kind, name


def _meaning(event: ev.DomainEvent) -> tuple[str, tuple[str, str] | None]:
    """(state-machine step or '', (party, detail) of the leg to record or None)."""
    if isinstance(event, ev.ConsultRinging):
        return "", (event.target, event.channel)
    if isinstance(event, ev.ConsultAnswered):
        return "", (event.target, "")
    if isinstance(event, ev.ConsultFailed):
        step = "" if event.reason == "cancelled" else "target_failed"
        return step, (event.target, event.reason)
    if isinstance(event, ev.ConsultEnded):
        return "consult_ended", (event.transferer, "answered" if event.answered else "")
    if isinstance(event, ev.CallTransferred):
        return "transferred", (event.to_agent or event.target, event.kind)
    if isinstance(event, ev.CallEnded):
        return "resident_gone", ("", event.cause)
    return "", None


def _reason(event: ev.DomainEvent) -> str:
    if isinstance(event, ev.ConsultFailed):
        return event.reason
    if isinstance(event, ev.CallEnded):
        return "resident_hangup"
    return ""
