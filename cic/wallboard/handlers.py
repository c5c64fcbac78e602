"""Feeds the wallboard from the bus and publishes its snapshot on topic ``wallboard``.

Snapshots are published at most ``max_rate`` times a second (a burst of call events becomes one
update) and once a second anyway, so waiting times and time-in-state tick on the screen.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime

from cic.bus import Bus
from cic.wallboard.service import Wallboard

log = logging.getLogger(__name__)
TOPIC = "wallboard"


class WallboardFeeder:
    """Runs the wallboard: bus messages in, snapshots out."""

    def __init__(
        self,
        bus: Bus,
        board: Wallboard,
        *,
        max_rate: float = 4.0,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.bus = bus
        self.board = board
        self.interval = 1.0 / max_rate
        self.clock = clock
        self._dirty = asyncio.Event()

    async def consume(self) -> None:
        """Apply every call, agent, callback and post-call backlog message (until cancelled)."""
        async with self.bus.subscribe(
            "call", "agent", "callback", "post_call", "channel"
        ) as subscription:
            async for _topic, message in subscription:
                try:
                    if self.board.apply(message):
                        self._dirty.set()
                except Exception:
                    log.exception("wallboard could not apply a %s message", message.get("type"))

    async def publish(self) -> None:
        """Publish snapshots: soon after a change, and every second (runs until cancelled)."""
        while True:
            try:
                await asyncio.wait_for(self._dirty.wait(), timeout=1.0)
            except TimeoutError:
                pass
            self._dirty.clear()
            try:
                await self.bus.publish(TOPIC, self.board.snapshot(self.clock()))
            except Exception:
                log.exception("wallboard snapshot not published")
            await asyncio.sleep(self.interval)
