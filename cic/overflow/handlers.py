"""Feeds first-line capacity: the load from the wallboard every second, logouts from the bus."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime

from cic.bus import Bus
from cic.overflow.policy import Load
from cic.overflow.service import FirstLineCapacity
from cic.wallboard.service import Wallboard

log = logging.getLogger(__name__)


def first_line_load(board: Wallboard, queue: str, now: datetime) -> Load:
    """Calls waiting and the longest wait of ``queue`` as the wallboard counts them now."""
    return Load(*board.queue_load(queue, now))


async def watch_load(
    capacity: FirstLineCapacity,
    board: Wallboard,
    interval: float = 1.0,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> None:
    """Run an automatic capacity step every ``interval`` seconds (until cancelled)."""
    while True:
        await asyncio.sleep(interval)
        try:
            await capacity.check(first_line_load(board, capacity.first_line, clock()))
        except Exception:
            log.exception("first-line capacity check failed")


async def watch_logouts(capacity: FirstLineCapacity, bus: Bus) -> None:
    """Give back borrowed agents as soon as they log out (until cancelled)."""
    async with bus.subscribe("agent") as subscription:
        async for _topic, message in subscription:
            try:
                await capacity.on_presence(message)
            except Exception:
                log.exception("first-line capacity could not handle %s", message.get("type"))
