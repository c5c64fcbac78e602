"""Creates a post-call job when a call's recording is attached.

The calls domain publishes ``RecordingAttached`` on the ``call`` topic once the file is
finished and recorded (after the call ended); only call recordings (not after-hours
messages) become jobs. Pub/sub can lose a message while nobody listens, so
:func:`enqueue_missing` also creates jobs for recordings that have none (run at start-up).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cic.bus import Bus
from cic.calls.models import Recording
from cic.postcall.models import PostCallJob
from cic.postcall.service import PostCallService

log = logging.getLogger(__name__)


async def on_message(service: PostCallService, message: dict[str, Any]) -> int | None:
    """The job id for a ``RecordingAttached`` call recording; None for other messages."""
    if message.get("type") != "RecordingAttached" or message.get("kind") != "call":
        return None
    call_id, path = message.get("call_id"), message.get("path")
    if not isinstance(call_id, str) or not isinstance(path, str) or not call_id or not path:
        return None
    return await service.enqueue(call_id, path)


async def follow_recordings(
    bus: Bus, service: PostCallService, ready: asyncio.Event | None = None
) -> None:
    """Subscribe to ``call`` and enqueue a job per attached call recording (until cancelled)."""
    async with bus.subscribe("call") as subscription:
        if ready is not None:
            ready.set()
        async for _topic, message in subscription:
            try:
                await on_message(service, message)
            except Exception:
                log.exception("post-call jobs: enqueueing %s failed", message.get("call_id"))


async def enqueue_missing(service: PostCallService, limit: int = 1000) -> int:
    """Create jobs for call recordings that have none yet; returns how many were created."""

    def query(session: Session) -> list[tuple[str, str]]:
        known = select(PostCallJob.recording_path)
        rows = session.execute(
            select(Recording.call_id, Recording.path)
            .where(Recording.kind == "call", Recording.path.not_in(known))
            .order_by(Recording.id)
            .limit(limit)
        )
        return [(c, p) for c, p in rows]

    missing = await service.store.run(query)
    for call_id, path in missing:
        await service.enqueue(call_id, path)
    return len(missing)
