"""Workers: take a job from the queue, run the steps with the lease kept alive, save and finish.

A failed attempt is queued again after an exponential back-off (``backoff_seconds`` doubled per
attempt, at most ``backoff_max_seconds``) until ``max_attempts``; then the job is ``failed``
and listed for the supervisor. A worker killed mid-job simply stops renewing its lease: when
the lease runs out another worker claims the job and runs it from the start (the steps are
idempotent, the results an overwrite).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from cic.calls.history import call_timeline
from cic.db import Store
from cic.postcall import jobs
from cic.postcall.jobs import ClaimedJob
from cic.postcall.pipeline import Pipeline
from cic.postcall.queue import JobQueue
from cic.postcall.results import save_result
from cic.postcall.spans import agent_spans, recorded_seconds

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class WorkerSettings:
    """Lease length, how long to wait for work, and the back-off after a failure."""

    lease_seconds: float = 600.0
    poll_seconds: float = 5.0
    backoff_seconds: float = 30.0
    backoff_max_seconds: float = 3600.0


def worker_name(index: int = 0) -> str:
    """A name unique to this process and worker: host, pid, a random part and the index."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}:{index}"


class Worker:
    """One worker loop; several can run in a process and on several hosts."""

    def __init__(
        self,
        store: Store,
        queue: JobQueue,
        pipeline: Pipeline,
        settings: WorkerSettings | None = None,
        name: str | None = None,
    ) -> None:
        """``name`` identifies the lease holder (and the Redis consumer)."""
        self.store = store
        self.queue = queue
        self.pipeline = pipeline
        self.settings = settings or WorkerSettings()
        self.name = name or worker_name()
        self.processed = 0

    async def run_forever(self) -> None:
        """Process jobs until cancelled; an unexpected error is logged and the loop goes on."""
        while True:
            try:
                await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("post-call worker %s: unexpected error", self.name)
                await asyncio.sleep(self.settings.poll_seconds)

    async def run_once(self, wait: float | None = None) -> bool:
        """Claim and process one job; False when none came within ``wait`` seconds."""
        lease = self.settings.lease_seconds
        wait = self.settings.poll_seconds if wait is None else wait
        job = await self.queue.next(self.name, lease, wait)
        if job is None:
            return False
        try:
            await self._process(job)
        finally:
            await self.queue.finished(job.id)
        return True

    async def _process(self, job: ClaimedJob) -> None:
        settings = self.settings
        if job.attempts > job.max_attempts:  # its last worker died holding it
            await self._failed(job, "Zadanie przerwane (proces przetwarzający zakończył się).")
            return
        renewer = asyncio.create_task(self._keep_lease(job))
        try:
            await self._step(job, "transcribe")
            timeline = await self.store.run(lambda s: call_timeline(s, job.call_id))
            heard = await asyncio.to_thread(
                self.pipeline.transcribe,
                Path(job.recording_path),
                agent_spans(timeline),
                recorded_seconds(timeline),
            )
            await self._step(job, "redact_tag")
            result = await asyncio.to_thread(self.pipeline.redact_and_tag, heard)

            def finish(session: Session) -> None:
                save_result(session, job.call_id, job.id, result)
                jobs.complete(session, job.id, self.name)

            await self.store.run(finish)
            self.processed += 1
            log.info("post-call job %s (call %s) done", job.id, job.call_id)
        except Exception as exc:
            log.warning("post-call job %s attempt %s failed: %s", job.id, job.attempts, exc)
            await self._failed(job, str(exc) or type(exc).__name__, settings)
        finally:
            renewer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewer

    async def _failed(
        self, job: ClaimedJob, error: str, settings: WorkerSettings | None = None
    ) -> None:
        s = settings or self.settings
        status = await self.store.run(
            lambda session: jobs.fail(
                session, job.id, self.name, error, s.backoff_seconds, s.backoff_max_seconds
            )
        )
        if status == "failed":
            log.error("post-call job %s (call %s) failed for good: %s", job.id, job.call_id, error)

    async def _step(self, job: ClaimedJob, step: str) -> None:
        await self.store.run(lambda session: jobs.mark_step(session, job.id, self.name, step))

    async def _keep_lease(self, job: ClaimedJob) -> None:
        lease = self.settings.lease_seconds
        while True:
            await asyncio.sleep(max(lease / 3.0, 0.2))
            try:
                kept = await self.store.run(
                    lambda session: jobs.renew(session, job.id, self.name, lease)
                )
            except Exception:
                log.exception("post-call job %s: renewing the lease failed", job.id)
                continue
            if not kept:
                log.warning("post-call job %s: lease lost to another worker", job.id)
                return
