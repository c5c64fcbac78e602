"""Turns tracker events into call-record updates, and attaches recordings when calls end.

Attaching waits for Asterisk to finish writing the file (MixMonitor closes it after hangup), so it
runs in a supervised background task rather than holding up the AMI event loop.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from cic.calls.service import CallService
from cic.events import CallEnded, DomainEvent, MessageLeft, RecordingStarted

log = logging.getLogger(__name__)


class CallEventHandler:
    """The AMI sink of the calls domain."""

    def __init__(self, service: CallService, to_host: Callable[[str], Path]) -> None:
        self.service = service
        self.to_host = to_host
        self._files: dict[str, list[tuple[str, str]]] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    async def __call__(self, event: DomainEvent) -> None:
        """Apply one event to the call record; start attaching files when the call ends."""
        await self.service.apply(event)
        if isinstance(event, RecordingStarted):
            self._files.setdefault(event.call_id, []).append((event.path, "call"))
        elif isinstance(event, MessageLeft):
            self._files.setdefault(event.call_id, []).append((event.path, "message"))
        elif isinstance(event, CallEnded):
            for path, kind in self._files.pop(event.call_id, []):
                self._spawn(self._attach(event.call_id, path, kind))

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("attaching a recording failed", exc_info=task.exception())

    async def _attach(self, call_id: str, path: str, kind: str) -> None:
        host_path = self.to_host(path)
        if kind == "message" and not host_path.exists():
            await asyncio.sleep(1.0)
            if not host_path.exists():
                log.info("call %s: no message was recorded", call_id)
                return
        await self.service.attach_recording(call_id, str(host_path), kind)

    async def drain(self) -> None:
        """Wait for pending attachments (used at shutdown and in tests)."""
        if self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
