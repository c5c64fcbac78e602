"""The AMI session: owns panoramisk's Manager, reconnects with back-off, resyncs, supervises.

Every AMI event is copied into one ordered queue; a single supervised task feeds it to the pure
tracker and hands the resulting domain events to the subscribers. No fire-and-forget tasks: an
exception in a subscriber is logged with the event and counted, and the loop goes on.
After every login and every ``FullyBooted`` the live state is resynced from Asterisk
(CoreShowChannels, QueueStatus) before later events are processed.
"""

from __future__ import annotations

import asyncio
import logging
import typing
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from panoramisk import Manager

from cic.asterisk.tracker import Tracker
from cic.events import DomainEvent

log = logging.getLogger(__name__)

EventSink = Callable[[DomainEvent], Awaitable[None]]
ResyncSink = Callable[[frozenset[str], datetime], Awaitable[None]]
_RESYNC = object()
_STOP = object()


class _BackoffManager(Manager):  # type: ignore[misc]
    """panoramisk's Manager with exponential back-off between reconnect attempts."""

    def __init__(self, *, max_backoff: float, **config: Any) -> None:
        super().__init__(**config)
        self.reconnect_timeout: float = float(config.get("reconnect_timeout", 2))
        self.max_backoff = max_backoff
        self.base_backoff = float(self.reconnect_timeout)

    def connection_made(self, f: asyncio.Future[Any]) -> None:
        if not f.cancelled() and f.exception() is not None:
            self.reconnect_timeout = min(self.max_backoff, self.reconnect_timeout * 2)
        super().connection_made(f)

    def login(self, future: asyncio.Future[Any]) -> bool:
        ok: bool = super().login(future)
        if ok:
            self.reconnect_timeout = self.base_backoff
        return ok


@dataclass
class AmiStats:
    """Counters for the status page and tests."""

    events: int = 0
    domain_events: int = 0
    sink_errors: int = 0
    resyncs: int = 0
    logins: int = 0
    connected: bool = False
    #: Logged in and the live state re-read since (False from a disconnect to the resync's end).
    in_sync: bool = False
    #: When the latest AMI event arrived (Unix seconds), None before the first.
    last_event_at: float | None = None
    last_error: str = ""
    since: dict[str, str] = field(default_factory=dict)

    def down_since(self, started: datetime) -> datetime | None:
        """When the link went down (``started`` if it never came up); ``None`` while up."""
        if self.connected:
            return None
        lost = self.since.get("disconnected")
        return datetime.fromisoformat(lost) if lost else started


class EventSource(Protocol):
    """Where a domain subscribes to the domain events the tracker makes of AMI events, and to
    the resyncs after a reconnect (what an ``install`` takes instead of the session)."""

    def add_sink(self, sink: EventSink) -> None:
        """Call ``sink`` with every domain event, in order."""
        ...

    def add_resync_hook(self, hook: ResyncSink) -> None:
        """Call ``hook`` after every resync with Asterisk."""
        ...


class AmiSession:
    """One AMI connection feeding the tracker and the domain event sinks."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        username: str,
        secret: str,
        tracker: Tracker,
        sinks: Iterable[EventSink] = (),
        on_resync: Iterable[ResyncSink] = (),
        max_backoff: float = 30.0,
        first_backoff: float = 1.0,
    ) -> None:
        """Connects on :meth:`start`; ``sinks`` and ``on_resync`` are the first subscribers
        (more come through :meth:`add_sink` and :meth:`add_resync_hook`). A lost connection
        is retried after ``first_backoff`` seconds, doubling up to ``max_backoff``."""
        self.tracker = tracker
        self.sinks: list[EventSink] = list(sinks)
        self.on_resync: list[ResyncSink] = list(on_resync)
        self.stats = AmiStats()
        self._queue: asyncio.Queue[object] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()
        self.manager = _BackoffManager(
            host=host,
            port=port,
            username=username,
            secret=secret,
            ping_delay=5,
            ping_interval=5,
            reconnect_timeout=first_backoff,
            max_backoff=max_backoff,
            on_login=self._on_login,
            on_disconnect=self._on_disconnect,
            log=logging.getLogger("cic.asterisk.panoramisk"),
        )
        self.manager.register_event("*", self._on_event)

    def add_sink(self, sink: EventSink) -> None:
        """Call ``sink`` with every domain event from now on (after the earlier sinks)."""
        self.sinks.append(sink)

    def add_resync_hook(self, hook: ResyncSink) -> None:
        """Call ``hook(live channels, when)`` after every resync, after the earlier hooks."""
        self.on_resync.append(hook)

    async def start(self) -> None:
        """Connect (retrying in the background) and start the supervised event loop."""
        self._task = asyncio.create_task(self._run(), name="cic-ami-events")
        self._task.add_done_callback(self._task_done)
        self.manager.connect()

    async def stop(self) -> None:
        """Close the connection and drain the loop."""
        self.manager.connection_lost = lambda exc: None  # no reconnect after a deliberate close
        self.manager.close()
        if self._task:
            self._queue.put_nowait(_STOP)
            await asyncio.wait_for(self._task, timeout=10)

    async def wait_ready(self) -> None:
        """Wait until logged in and the first resync is done."""
        await self._ready.wait()

    async def action(self, action: Mapping[str, str], *, as_list: bool = False) -> Any:
        """Send one action; returns panoramisk's response (a list when ``as_list``)."""
        if not self.stats.connected:
            raise ConnectionError("AMI is not connected")
        return await self.manager.send_action(dict(action), as_list=as_list)

    # --- panoramisk callbacks (synchronous: they only enqueue) ---
    def request_resync(self) -> None:
        """Ask Asterisk for its channels and queues again (after state was reloaded)."""
        self._queue.put_nowait(_RESYNC)

    def _on_event(self, _manager: Manager, event: Any) -> None:
        received = datetime.now(UTC)
        self.stats.last_event_at = received.timestamp()
        self._queue.put_nowait((dict(event), received))
        if event.get("Event") == "FullyBooted":
            self._queue.put_nowait(_RESYNC)

    def _on_login(self, _manager: Manager) -> None:
        self.stats.logins += 1
        self.stats.connected, self.stats.in_sync = True, False  # until the resync below is done
        self.stats.since["connected"] = datetime.now(UTC).isoformat()
        log.info("AMI logged in")
        self._queue.put_nowait(_RESYNC)

    def _on_disconnect(self, _manager: Manager, exc: BaseException | None) -> None:
        self.stats.connected = self.stats.in_sync = False
        self.stats.since["disconnected"] = datetime.now(UTC).isoformat()
        log.warning("AMI connection lost (%s); reconnecting with back-off", exc)

    def _task_done(self, task: asyncio.Task[None]) -> None:
        if not task.cancelled() and task.exception() is not None:
            log.critical("AMI event loop died", exc_info=task.exception())

    # --- the supervised loop ---
    async def _run(self) -> None:
        while True:
            item = await self._queue.get()
            if item is _STOP:
                return
            try:
                if item is _RESYNC:
                    await self._resync()
                else:
                    event, received = typing.cast(tuple[dict[str, str], datetime], item)
                    self.stats.events += 1
                    await self._deliver(self.tracker.feed(event, received))
            except Exception as exc:
                self.stats.sink_errors += 1
                self.stats.last_error = repr(exc)
                log.exception("AMI event handling failed; continuing")

    async def _deliver(self, events: list[DomainEvent]) -> None:
        for domain_event in events:
            self.stats.domain_events += 1
            for sink in self.sinks:
                try:
                    await sink(domain_event)
                except Exception as exc:
                    self.stats.sink_errors += 1
                    self.stats.last_error = repr(exc)
                    # type and call id only: the event may carry a resident's number and name
                    log.exception(
                        "sink %r failed on %s of call %s",
                        sink,
                        type(domain_event).__name__,
                        getattr(domain_event, "call_id", "-"),
                    )

    async def _resync(self) -> None:
        if not self.stats.connected:
            return
        self.tracker.begin_resync()
        now = datetime.now(UTC)
        for name in ("CoreShowChannels", "QueueStatus"):
            try:
                replies = await asyncio.wait_for(self.action({"Action": name}, as_list=True), 10)
            except (TimeoutError, ConnectionError) as exc:
                log.warning("resync %s failed: %s", name, exc)
                return
            for reply in replies or []:
                await self._deliver(self.tracker.feed(dict(reply), now))
        await self._deliver(self.tracker.end_resync())
        live = self.tracker.live_call_ids()
        for hook in self.on_resync:
            try:
                await hook(live, now)
            except Exception as exc:
                self.stats.sink_errors += 1
                self.stats.last_error = repr(exc)
                log.exception("resync hook %r failed", hook)
        self.stats.resyncs += 1
        self.stats.in_sync = self.stats.connected
        self._ready.set()
