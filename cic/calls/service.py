"""Call records: domain events in, call rows and timelines out; queries for views and routing.

Bus messages (after the change is committed):

- topic ``event.topic`` (``"call"`` for call events, ``"agent"`` for ``AgentCallCompleted``):
  ``event.to_dict()``; not repeated for an exact duplicate event.
- topic ``"call_summary"`` (``SUMMARY_TOPIC``): ``{"type": "CallSummary", "call": {...}}``,
  the whole call row as ``list_calls`` shows it, after every change (events, reconcile,
  recordings).
- topic ``"call"``: ``{"type": "RecordingAttached", "call_id", "path", "kind", "bytes",
  "duration_seconds", "sha256", "at"}`` when a recording file is attached.

Writes go through a ``WriteBacklog``: while the database is down they wait in memory, in
order, and are retried on the next ``apply`` and on every ``flush``. With a ``spool`` they are
also kept on local disk meanwhile, and :meth:`recover` writes what a restart left there (every
write is idempotent: an event already on the timeline is not added twice).
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
from collections.abc import Callable
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.orm import Session

from cic import events as ev
from cic.bus import Bus
from cic.calls import recording_files
from cic.calls.errors import InvalidQuery, StoreUnavailable
from cic.calls.history import call_timeline
from cic.calls.last_agent import LastAgentIndex
from cic.calls.legs import call_legs
from cic.calls.models import RECORDING_KINDS, Call, CallEvent, Recording
from cic.calls.schemas import CallDetail, CallSummary
from cic.db import Store, WriteBacklog, as_utc, utcnow
from cic.spool import FileSpool

log = logging.getLogger(__name__)
T = TypeVar("T")

SUMMARY_TOPIC = "call_summary"
MAX_LIMIT = 500
# Caller numbers that do not identify anyone: never used for "the agent who had this caller".
WITHHELD_NUMBERS = frozenset({"", "anonymous", "unknown", "<unknown>", "restricted", "private"})
_KEY_FIELDS = ("type", "at", "call_id")

# Which outcomes each outcome may replace (answered replaces any other).
_REPLACES = {
    "answered": frozenset(
        {"in_progress", "abandoned", "message", "unanswered", "lost", "callback"}
    ),
    # The resident left the queue for a callback: not abandoned, not a lost call.
    "callback": frozenset({"in_progress", "abandoned", "unanswered", "lost"}),
    "abandoned": frozenset({"in_progress", "unanswered", "lost"}),
    "message": frozenset({"in_progress", "unanswered", "lost"}),
    "unanswered": frozenset({"in_progress", "lost"}),
    "lost": frozenset({"in_progress"}),
}

# Why reconciling ended a call (on its timeline): gone after a resync, or its node was lost.
RESYNCED = "not live after resync"
NODE_LOST = "asterisk node lost"


def clean_text(value: str, length: int | None = None) -> str:
    """``value`` as the database can hold it: cut to ``length`` characters.

    Everything is kept verbatim except the two things no PostgreSQL text can carry: NUL
    characters and unpaired surrogates, which become U+FFFD (on both databases, for parity).
    """
    if "\x00" in value:
        value = value.replace("\x00", "\ufffd")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        value = "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in value)
    return value if length is None else value[:length]


def _fit(column: str, value: str) -> str:
    length = getattr(Call.__table__.c[column].type, "length", None)
    return clean_text(value, length)


def _clean_data(data: dict[str, Any]) -> dict[str, Any]:
    return {k: clean_text(v) if isinstance(v, str) else v for k, v in data.items()}


def _set_outcome(call: Call, outcome: str) -> None:
    if call.outcome in _REPLACES[outcome]:
        call.outcome = outcome


def _on_entered(call: Call, e: ev.CallEntered) -> None:
    if call.entered_at is None:
        call.entered_at = as_utc(e.at)
        call.caller_number = _fit("caller_number", e.caller_number)
        call.caller_name = _fit("caller_name", e.caller_name)
        call.dialled = _fit("dialled", e.dialled)


def _on_consent(call: Call, e: ev.ConsentRecorded) -> None:
    if call.recording_consent != "declined":  # a refusal is never overridden by a replay
        call.recording_consent = e.consent


def _on_routed(call: Call, e: ev.CallRouted) -> None:
    call.routing_action = _fit("routing_action", e.action)
    call.routing_target = _fit("routing_target", e.target)
    call.routing_reason = clean_text(e.reason)


def _on_fallback(call: Call, e: ev.CallFallback) -> None:
    call.fallback = True
    if call.routing_action is None:
        call.routing_action = "fallback"
        call.routing_target = _fit("routing_target", e.queue)
        call.routing_reason = clean_text(e.reason)


def _on_queued(call: Call, e: ev.CallQueued) -> None:
    if call.queued_at is None:
        call.queued_at = as_utc(e.at)
    if call.answered_at is None:
        call.queue = _fit("queue", e.queue)


def _on_answered(call: Call, e: ev.CallAnswered) -> None:
    if call.answered_at is None:
        call.answered_at = as_utc(e.at)
        call.agent = _fit("agent", e.agent)
        call.queue = _fit("queue", e.queue) or call.queue
        call.wait_seconds = e.wait_seconds
    _set_outcome(call, "answered")


def _on_abandoned(call: Call, e: ev.CallAbandoned) -> None:
    if call.wait_seconds is None:
        call.wait_seconds = e.wait_seconds
    if call.queue is None:
        call.queue = _fit("queue", e.queue)
    _set_outcome(call, "abandoned")


def _on_callback(call: Call, _e: ev.CallbackRequested) -> None:
    _set_outcome(call, "callback")


def _on_message(call: Call, _e: ev.MessageLeft) -> None:
    _set_outcome(call, "message")


def _on_ended(call: Call, e: ev.CallEnded) -> None:
    if call.ended_at is None:
        call.ended_at = as_utc(e.at)
    if call.end_cause in (None, RESYNCED, NODE_LOST):  # the real cause beats reconciling's
        call.end_cause = _fit("end_cause", e.cause)
    if call.talk_seconds is None:
        call.talk_seconds = e.talk_seconds
    _set_outcome(call, "unanswered")


_RULES: dict[type[ev.DomainEvent], Callable[[Call, Any], None]] = {
    ev.CallEntered: _on_entered,
    ev.ConsentRecorded: _on_consent,
    ev.CallRouted: _on_routed,
    ev.CallFallback: _on_fallback,
    ev.CallQueued: _on_queued,
    ev.CallAnswered: _on_answered,
    ev.CallAbandoned: _on_abandoned,
    ev.MessageLeft: _on_message,
    ev.CallbackRequested: _on_callback,
    ev.CallEnded: _on_ended,
}


def _call_row(session: Session, call_id: str) -> Call:
    call = session.scalars(select(Call).where(Call.call_id == call_id).with_for_update()).first()
    if call is None:
        call = Call(call_id=call_id, caller_number="", caller_name="", dialled="")
        call.outcome, call.fallback = "in_progress", False
        session.add(call)
        session.flush()
    return call


def _add_timeline(
    session: Session, call_id: str, at: datetime, kind: str, data: dict[str, Any]
) -> bool:
    """Append a timeline entry unless an identical one is there; True if added."""
    at = as_utc(at)
    same = select(CallEvent.data).where(
        CallEvent.call_id == call_id, CallEvent.type == kind, CallEvent.at == at
    )
    if any(existing == data for existing in session.scalars(same)):
        return False
    session.add(CallEvent(call_id=call_id, at=at, type=kind, data=data))
    return True


def _apply_event(event: ev.DomainEvent, call_id: str, session: Session) -> CallSummary | None:
    """Apply one event; the call summary, or None if it was an exact duplicate."""
    call = _call_row(session, call_id)
    data = _clean_data({k: v for k, v in event.to_dict().items() if k not in _KEY_FIELDS})
    if not _add_timeline(session, call_id, event.at, type(event).__name__, data):
        return None
    rule = _RULES.get(type(event))
    if rule is not None:
        rule(call, event)
    session.flush()
    return call.summary()


def _reconcile(
    live: frozenset[str], at: datetime, prefix: str, reason: str, session: Session
) -> list[CallSummary]:
    changed = []
    open_calls = select(Call).where(Call.ended_at.is_(None))
    if prefix:  # one node of several: the other nodes' calls are theirs to close
        open_calls = open_calls.where(Call.call_id.startswith(prefix, autoescape=True))
    for call in session.scalars(open_calls.with_for_update()):
        times = [t for t in (call.entered_at, call.queued_at, call.answered_at) if t is not None]
        if call.call_id in live or (times and min(times) > at):
            continue
        previous = call.outcome
        call.ended_at = at
        _set_outcome(call, "lost")
        if call.end_cause is None:
            call.end_cause = reason
        data = {"reason": reason, "outcome_before": previous}
        _add_timeline(session, call.call_id, at, "CallReconciled", data)
        changed.append(call.summary())
    session.flush()
    return changed


def _attach(
    call_id: str, path: str, kind: str, info: recording_files.RecordingInfo, session: Session
) -> CallSummary:
    call = _call_row(session, call_id)
    found = session.scalars(
        select(Recording).where(Recording.call_id == call_id, Recording.path == path)
    ).first()
    recording = found or Recording(call_id=call_id, path=path, kind=kind)
    recording.bytes, recording.sha256 = info.bytes, info.sha256
    recording.duration_seconds, recording.kind = info.duration_seconds, kind
    if found is None:
        session.add(recording)
    facts: dict[str, Any] = {"path": path, "kind": kind, "bytes": info.bytes}
    facts["sha256"] = info.sha256
    facts["duration_seconds"] = info.duration_seconds
    _add_timeline(session, call_id, utcnow(), "RecordingAttached", facts)
    session.flush()
    return call.summary()


class CallService:
    """Keeps call records from domain events and answers questions about past calls."""

    def __init__(
        self,
        store: Store,
        bus: Bus,
        *,
        backlog_limit: int = 100_000,
        retry_interval: float = 2.0,
        recording_settle: float = 5.0,
        spool: FileSpool | None = None,
        node: str = "",
    ) -> None:
        """``retry_interval``: after a failed write, ``apply`` only queues for that long;
        ``spool`` keeps waiting writes on disk during an outage; ``node`` (``ha.node``) limits
        reconciling to the calls of that Asterisk node (their ids start with ``<node>-``)."""
        self.store = store
        self.node_prefix = f"{node}-" if node else ""
        self.bus = bus
        self.last_agents = LastAgentIndex()
        self.recording_settle = recording_settle
        self.spool = spool
        self.backlog = WriteBacklog(
            store, limit=backlog_limit, retry_interval=retry_interval, name="calls", spool=spool
        )

    async def apply(self, event: ev.DomainEvent) -> None:
        """Record ``event`` on its call and publish it. Never raises; see module docstring.

        Events without a ``call_id`` (agent presence) are not call records: ignored.
        """
        call_id = getattr(event, "call_id", None)
        if not isinstance(call_id, str) or not call_id:
            return

        async def after(summary: dict[str, Any] | None) -> None:
            if summary is not None:
                await self._publish(event.topic, event.to_dict())
                await self._publish_summary([summary])

        # The label is logged on outages: type and call id only, never the caller's number or name.
        label = f"{type(event).__name__} of call {call_id} at {event.at.isoformat()}"
        record = {"write": "event", "event": event.to_dict()}
        await self.backlog.submit(label, partial(_apply_event, event, call_id), after, record)

    async def recover(self) -> int:
        """Write what the spool kept from before a restart, in order; returns how many records.

        A record this version cannot read is logged and skipped. Writes that fail again wait
        in the backlog (and stay in the spool) like any others.
        """
        if self.spool is None:
            return 0
        records = await asyncio.to_thread(self.spool.load)
        if not records:
            return 0
        log.warning("calls: %d write(s) kept on disk during an outage; writing them", len(records))
        self.backlog.spool_dirty = True
        self.backlog.keep_spool = True  # a crash mid-replay must still find every record
        try:
            for record in records:
                try:
                    await self._replay(record)
                except (ev.BadEvent, KeyError, TypeError, ValueError) as exc:
                    log.error("calls: a spooled write could not be read (%s); skipped", exc)
        finally:
            self.backlog.keep_spool = False
        await self.backlog.drain()
        return len(records)

    async def _replay(self, record: dict[str, Any]) -> None:
        kind = record.get("write")
        if kind == "event":
            await self.apply(ev.from_dict(record["event"]))
        elif kind == "reconcile":
            at = datetime.fromisoformat(record["at"])
            await self.reconcile(frozenset(record["live"]), at, record.get("reason", RESYNCED))
        elif kind == "recording":
            info = recording_files.RecordingInfo(**record["info"])
            await self._attach_known(record["call_id"], record["path"], record["kind"], info)
        else:
            raise ValueError(f"unknown spooled write {kind!r}")

    async def flush(self) -> bool:
        """Retry writes kept during a database outage; True when none is left waiting."""
        return await self.backlog.drain()

    async def reconcile(
        self, live_call_ids: frozenset[str], at: datetime, reason: str = RESYNCED
    ) -> None:
        """End calls the PBX no longer has (after an AMI resync, or its node lost).

        Every unended call (of this node, see ``node``) not in ``live_call_ids`` and begun by
        ``at`` gets ``ended_at=at``; if it was never answered (still ``in_progress``) it
        becomes ``lost``; ``reason`` goes on its timeline. Queued behind pending writes, like
        events.
        """
        at = as_utc(at)

        async def after(changed: list[dict[str, Any]]) -> None:
            await self._publish_summary(changed)

        label = f"reconcile at {at.isoformat()} ({len(live_call_ids)} live)"
        record = {"write": "reconcile", "live": sorted(live_call_ids), "at": at.isoformat()}
        record["reason"] = reason
        work = partial(_reconcile, frozenset(live_call_ids), at, self.node_prefix, reason)
        await self.backlog.submit(label, work, after, record)

    async def attach_recording(
        self, call_id: str, path: str | Path, kind: str = "call"
    ) -> recording_files.RecordingInfo:
        """Describe the file (waiting for Asterisk to finish it) and record it on the call.

        Raises ``RecordingFileMissing`` if the file is not there, ``InvalidQuery`` for a bad
        ``kind``. Attaching the same path again updates the facts instead of duplicating.
        """
        if kind not in RECORDING_KINDS:
            raise InvalidQuery(f"Nieznany rodzaj nagrania: {kind!r}.")
        info = await recording_files.inspect(path, settle_timeout=self.recording_settle)
        await self._attach_known(call_id, str(path), kind, info)
        return info

    async def _attach_known(
        self, call_id: str, host_path: str, kind: str, info: recording_files.RecordingInfo
    ) -> None:
        message: dict[str, Any] = {"type": "RecordingAttached", "call_id": call_id}
        message |= {"path": host_path}
        message |= {"kind": kind, "bytes": info.bytes, "sha256": info.sha256}
        message |= {"duration_seconds": info.duration_seconds, "at": utcnow().isoformat()}

        async def after(summary: dict[str, Any]) -> None:
            await self._publish("call", message)
            await self._publish_summary([summary])

        label = json.dumps(message, ensure_ascii=False)
        record = {"write": "recording", "call_id": call_id, "path": host_path, "kind": kind,
                  "info": dataclasses.asdict(info)}  # fmt: skip
        await self.backlog.submit(
            label, partial(_attach, call_id, host_path, kind, info), after, record
        )

    async def list_calls(
        self, limit: int = 50, offset: int = 0, since: datetime | None = None
    ) -> list[CallSummary]:
        """Calls, newest first; ``since`` keeps calls that began at or after that time."""
        if not 1 <= limit <= MAX_LIMIT:
            raise InvalidQuery(f"Parametr limit musi być liczbą od 1 do {MAX_LIMIT}.")
        if offset < 0:
            raise InvalidQuery("Parametr offset nie może być ujemny.")
        stmt = select(Call).order_by(Call.id.desc()).limit(limit).offset(offset)
        if since is not None:
            began = func.coalesce(Call.entered_at, Call.queued_at, Call.answered_at, Call.ended_at)
            stmt = stmt.where(began >= as_utc(since))

        def query(session: Session) -> list[CallSummary]:
            return [call.summary() for call in session.scalars(stmt)]

        return await self._read(query)

    async def get_call(self, call_id: str) -> CallDetail | None:
        """One call with its ``timeline``, ``legs`` (who had the resident when; see
        ``cic.calls.legs``) and ``recordings``, or None if unknown."""

        def query(session: Session) -> CallDetail | None:
            call = session.scalars(select(Call).where(Call.call_id == call_id)).first()
            if call is None:
                return None
            recordings = select(Recording).where(Recording.call_id == call_id)
            timeline = call_timeline(session, call_id)
            return {
                **call.summary(),
                "timeline": timeline,
                "recordings": [r.as_dict() for r in session.scalars(recordings.order_by("id"))],
                "legs": call_legs(timeline),
            }

        return await self._read(query)

    async def last_agent(self, caller_number: str, since: datetime) -> str | None:
        """The agent interface of this caller's latest answered call since ``since``.

        None for an empty or withheld number (``anonymous``, ``unknown``, ...). Answered from
        the in-memory :class:`LastAgentIndex` once :meth:`load_last_agents` has run.
        """
        if caller_number.strip().lower() in WITHHELD_NUMBERS:
            return None
        if self.last_agents.loaded:
            return self.last_agents.lookup(caller_number, since)
        stmt = (
            select(Call.agent)
            .where(
                Call.caller_number == caller_number,
                Call.answered_at >= as_utc(since),
                Call.agent.is_not(None),
            )
            .order_by(Call.answered_at.desc())
            .limit(1)
        )
        return await self._read(lambda session: session.scalars(stmt).first())

    async def load_last_agents(self, since: datetime) -> int:
        """Fill the last-agent index from the store (at start-up); returns numbers known."""
        return await self.last_agents.load(self.store, since)

    async def _read(self, fn: Callable[[Session], T]) -> T:
        try:
            return await self.store.run(fn)
        except (DBAPIError, PoolTimeoutError) as exc:
            raise StoreUnavailable(str(exc)) from exc

    async def _publish(self, topic: str, message: dict[str, Any]) -> None:
        try:
            await self.bus.publish(topic, message)
        except Exception:
            log.exception("calls: publishing on %r failed", topic)

    async def _publish_summary(self, summaries: list[dict[str, Any]]) -> None:
        for summary in summaries:
            self.last_agents.note_summary(summary)
            await self._publish(SUMMARY_TOPIC, {"type": "CallSummary", "call": summary})
