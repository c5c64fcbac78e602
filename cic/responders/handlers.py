"""Turns the notification store's delivery events into dispatch acknowledgements."""

from __future__ import annotations

import logging

from cic.bus import Bus
from cic.notify.service import TOPIC
from cic.responders.dispatch import DispatchService

log = logging.getLogger(__name__)


def dispatch_of(batch: object) -> int | None:
    """The dispatch id of a ``dispatch:<id>`` batch, else ``None``."""
    if not isinstance(batch, str) or not batch.startswith("dispatch:"):
        return None
    ident = batch.partition(":")[2]
    return int(ident) if ident.isascii() and ident.isdigit() and len(ident) < 10 else None


async def watch_acknowledgements(bus: Bus, dispatches: DispatchService) -> None:
    """Forever: each delivery event of a dispatch's batch updates that dispatch (runs under
    the supervisor, which restarts it if it fails)."""
    async with bus.subscribe(TOPIC) as events:
        async for _topic, event in events:
            dispatch_id = dispatch_of(event.get("batch"))
            if dispatch_id is None:
                continue
            changed = await dispatches.acknowledge(dispatch_id)
            if changed:
                log.info("dispatch %s: %s", dispatch_id, changed)
