"""Turns tracker events into call-record updates, and attaches recordings when calls end.

Attaching waits for Asterisk to finish writing the file (MixMonitor closes it after hangup), so it
runs in a supervised background task rather than holding up the AMI event loop.

A call recording that is missing, empty, or shorter than half the time it was recording while
its disk is full (the call itself goes on) becomes a ``RecordingFailed`` event on the call's
timeline and on the bus, with the free space left on that disk, so the supervisor sees it;
``failures`` counts them for the status page.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
from collections.abc import Callable, Coroutine
from datetime import datetime
from pathlib import Path
from typing import Any

from cic.calls.errors import RecordingFileMissing
from cic.calls.service import CallService
from cic.db import utcnow
from cic.events import CallEnded, DomainEvent, MessageLeft, RecordingFailed, RecordingStarted

log = logging.getLogger(__name__)
MIN_CHECKED_SECONDS = 2.0
FULL_BYTES = 1 << 20  # under 1 MiB left: the disk is full for a recording
REASONS_PL = {
    "missing": "Nagranie nie powstało.",
    "empty": "Nagranie jest puste.",
    "short": "Nagranie jest dużo krótsze niż rozmowa.",
}


def free_bytes(folder: Path) -> int | None:
    """Free space on the disk holding ``folder`` (its nearest existing parent), or None."""
    for candidate in (folder, *folder.parents):
        try:
            return shutil.disk_usage(candidate).free
        except OSError:
            continue
    return None


class CallEventHandler:
    """The AMI sink of the calls domain."""

    def __init__(self, service: CallService, to_host: Callable[[str], Path]) -> None:
        self.service = service
        self.to_host = to_host
        self.failures = 0
        self.last_failure: dict[str, Any] | None = None
        self._files: dict[str, list[tuple[str, str, datetime]]] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    async def __call__(self, event: DomainEvent) -> None:
        """Apply one event to the call record; start attaching files when the call ends."""
        await self.service.apply(event)
        if isinstance(event, RecordingStarted):
            self._files.setdefault(event.call_id, []).append((event.path, "call", event.at))
        elif isinstance(event, MessageLeft):
            self._files.setdefault(event.call_id, []).append((event.path, "message", event.at))
        elif isinstance(event, CallEnded):
            for path, kind, started in self._files.pop(event.call_id, []):
                expected = max(0.0, (event.at - started).total_seconds())
                self._spawn(self._attach(event.call_id, path, kind, expected))

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("attaching a recording failed", exc_info=task.exception())

    async def _attach(self, call_id: str, path: str, kind: str, expected: float = 0.0) -> None:
        host_path = self.to_host(path)
        if kind == "message" and not host_path.exists():
            await asyncio.sleep(1.0)
            if not host_path.exists():
                log.info("call %s: no message was recorded", call_id)
                return
        try:
            info = await self.service.attach_recording(call_id, str(host_path), kind)
        except RecordingFileMissing:
            await self._failed(call_id, host_path, "missing", expected, 0.0)
            return
        if kind != "call" or expected < MIN_CHECKED_SECONDS:
            return
        if info.duration_seconds <= 0:
            await self._failed(call_id, host_path, "empty", expected, 0.0)
        elif info.duration_seconds < expected / 2:
            # Short alone is no proof (phones that send no audio in silence leave gaps): only a
            # short file on a full disk is a failure.
            free = await asyncio.to_thread(free_bytes, host_path.parent)
            if free is not None and free < FULL_BYTES:
                await self._failed(call_id, host_path, "short", expected, info.duration_seconds)

    async def _failed(
        self, call_id: str, path: Path, reason: str, expected: float, recorded: float
    ) -> None:
        free = await asyncio.to_thread(free_bytes, path.parent)
        detail = REASONS_PL[reason]
        if free is not None and free < FULL_BYTES:
            detail += " Brak miejsca na dysku nagrań."
        self.failures += 1
        event = RecordingFailed(
            at=utcnow(), call_id=call_id, path=str(path), reason=reason, detail=detail,
            expected_seconds=round(expected, 1), recorded_seconds=round(recorded, 1),
            free_bytes=-1 if free is None else free,
        )  # fmt: skip
        self.last_failure = event.to_dict()
        log.error("call %s: recording %s (%s); the call went on", call_id, reason, detail)
        await self.service.apply(event)

    async def drain(self) -> None:
        """Wait for pending attachments (used at shutdown and in tests)."""
        if self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
