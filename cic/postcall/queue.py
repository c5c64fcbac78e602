"""Two ways to hand jobs to workers behind one small interface, :class:`JobQueue`.

The SQL table is always the state of record (see :mod:`cic.postcall.jobs`); a queue only
decides which worker looks at which job next.

* :class:`StoreQueue` (embedded default): workers poll the table for claimable jobs; a job
  created in this process wakes them at once.
* :class:`RedisQueue` (production): job ids travel on a Redis stream read by a consumer
  group, so workers on several hosts share the load. A message is acknowledged (XACK) when
  its job has finished the attempt; a worker that died leaves its message pending, and
  another worker takes it over with XAUTOCLAIM once it has been idle for a lease. Jobs whose
  message is gone (a retry after back-off, Redis down at enqueue time) are still found by the
  same table sweep the store queue uses, so nothing is lost.
"""

from __future__ import annotations

import asyncio
import logging
from functools import partial
from typing import Any, Protocol

import redis.asyncio as aioredis
from redis.exceptions import RedisError, ResponseError

from cic.db import Store
from cic.postcall import jobs
from cic.postcall.jobs import ClaimedJob

log = logging.getLogger(__name__)
# Seconds a Redis reply may take; a blocking read waits at most this less two (_block_ms).
SOCKET_TIMEOUT = 15.0


class JobQueue(Protocol):
    """Hands claimed jobs to workers; the claim itself is always made in the table."""

    async def notify(self, job_id: int) -> None:
        """A job was created (or retried by hand): let a worker know."""
        ...

    async def next(self, owner: str, lease: float, wait: float) -> ClaimedJob | None:
        """A job claimed for ``owner``, or None after waiting about ``wait`` seconds."""
        ...

    async def finished(self, job_id: int) -> None:
        """The attempt on ``job_id`` is over (done, retried later or failed)."""
        ...

    async def close(self) -> None:
        """Release connections."""
        ...


class StoreQueue:
    """Jobs polled from the table; :meth:`notify` wakes waiting workers of this process."""

    def __init__(self, store: Store) -> None:
        """Workers of this queue claim from ``store``."""
        self.store = store
        self._wake = asyncio.Event()

    async def notify(self, job_id: int) -> None:
        """Wake the workers waiting in :meth:`next`."""
        self._wake.set()

    async def next(self, owner: str, lease: float, wait: float) -> ClaimedJob | None:
        """Claim the oldest due job, else wait for a notification or ``wait`` seconds."""
        claimed = await self.store.run(lambda s: jobs.claim_due(s, owner, lease))
        if claimed is not None:
            return claimed
        self._wake.clear()
        try:
            await asyncio.wait_for(self._wake.wait(), timeout=wait)
        except TimeoutError:
            return None
        return await self.store.run(lambda s: jobs.claim_due(s, owner, lease))

    async def finished(self, job_id: int) -> None:
        """Nothing to acknowledge: the table holds the state."""

    async def close(self) -> None:
        """Nothing to close."""


class RedisQueue:
    """Job ids on a Redis stream with one consumer group shared by every worker."""

    def __init__(
        self,
        store: Store,
        redis_url: str,
        *,
        stream: str = "cic:post-call-jobs",
        group: str = "workers",
    ) -> None:
        """Workers claim in ``store``; ``stream`` and ``group`` name the Redis objects."""
        self.store = store
        # The blocking read must end before the socket's timeout (redis-py 8 defaults to 5 s,
        # which cut every 5-second XREADGROUP off as "Redis unavailable").
        self.client: aioredis.Redis = aioredis.Redis.from_url(
            redis_url, decode_responses=True, socket_timeout=SOCKET_TIMEOUT
        )
        self.stream = stream
        self.group = group
        self._ready = False
        self._messages: dict[int, list[str]] = {}

    async def _ensure_group(self) -> None:
        if self._ready:
            return
        try:
            await self.client.xgroup_create(self.stream, self.group, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise
        self._ready = True

    async def notify(self, job_id: int) -> None:
        """XADD the job id; a Redis failure is logged (the table sweep still finds the job)."""
        try:
            await self.client.xadd(self.stream, {"job": str(job_id)})
        except RedisError:
            log.warning("post-call job %s: Redis unavailable, left to the table sweep", job_id)

    async def next(self, owner: str, lease: float, wait: float) -> ClaimedJob | None:
        """A message for this consumer, a stuck one of a dead consumer, or the table sweep."""
        try:
            await self._ensure_group()
            for message_id, job_id in await self._read(owner, lease, wait):
                claimed = await self.store.run(
                    partial(jobs.claim, job_id=job_id, owner=owner, lease=lease)
                )
                if claimed is None:
                    # done, held by a live worker, or waiting out a back-off: the table decides
                    await self.client.xack(self.stream, self.group, message_id)
                    continue
                self._messages.setdefault(job_id, []).append(message_id)
                return claimed
        except RedisError:
            log.warning("post-call jobs: Redis unavailable, claiming from the table")
            # A Redis that restarted without its data has lost the group too: make it again.
            self._ready = False
            await asyncio.sleep(min(wait, 1.0))
        return await self.store.run(lambda s: jobs.claim_due(s, owner, lease))

    async def _read(self, owner: str, lease: float, wait: float) -> list[tuple[str, int]]:
        reply = await self.client.xautoclaim(
            self.stream, self.group, owner, min_idle_time=int(lease * 1000), count=1
        )
        entries: list[Any] = list(reply[1]) if reply else []
        if not entries:
            streams: Any = await self.client.xreadgroup(
                self.group, owner, {self.stream: ">"}, count=1, block=_block_ms(wait)
            )
            entries = [entry for _name, items in streams or [] for entry in items]
        out: list[tuple[str, int]] = []
        for message_id, fields in entries:
            try:
                out.append((message_id, int((fields or {}).get("job", ""))))
            except ValueError:
                await self.client.xack(self.stream, self.group, message_id)
        return out

    async def finished(self, job_id: int) -> None:
        """XACK the messages that brought this job (they are no longer pending)."""
        ids = self._messages.pop(job_id, [])
        if ids:
            try:
                await self.client.xack(self.stream, self.group, *ids)
            except RedisError:
                log.warning("post-call job %s: XACK failed; XAUTOCLAIM will see it again", job_id)

    async def close(self) -> None:
        """Close the Redis connection pool."""
        await self.client.aclose()


def _block_ms(wait: float) -> int:
    """How long XREADGROUP may block: ``wait``, but always ending before the socket times out."""
    return max(1, int(min(wait, SOCKET_TIMEOUT - 2.0) * 1000))
