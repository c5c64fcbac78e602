"""The post-call job system's rules: a job per call recording, the supervisor's list, retries.

Collaborators come in through the constructor; database work runs in ``Store.run``. A retry by
hand is written to the audit log (who, which call, which job, when).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from cic.auth import audit
from cic.auth.actor import Actor
from cic.db import Store
from cic.postcall import jobs
from cic.postcall.errors import InvalidInput, JobNotFound, JobNotRetryable
from cic.postcall.models import JOB_STATUSES, PostCallJob
from cic.postcall.queue import JobQueue
from cic.postcall.schemas import JobOut

#: Who retries a job (username, role and address for the audit log).
Viewer = Actor


class PostCallService:
    """Post-call jobs: created once per call recording, listed, and retried by hand."""

    def __init__(self, store: Store, queue: JobQueue, *, max_attempts: int = 4) -> None:
        """Jobs are kept in ``store`` and handed to workers through ``queue``; each gets
        ``max_attempts`` attempts (a retry by hand a fresh set)."""
        self.store = store
        self.queue = queue
        self.max_attempts = max_attempts

    async def enqueue(self, call_id: str, path: str) -> int:
        """The job for this call's recording (created once), and a worker told about it."""
        job_id, created = await self.store.run(
            lambda s: jobs.enqueue(s, call_id, path, self.max_attempts)
        )
        if created:
            await self.queue.notify(job_id)
        return job_id

    async def list_jobs(self, status: str | None = None, limit: int = 100) -> list[JobOut]:
        """Jobs, newest first; ``status`` filters (``failed`` for the supervisor's list)."""
        if status is not None and status not in JOB_STATUSES:
            raise InvalidInput("Nieznany stan zadania.")
        stmt = select(PostCallJob).order_by(PostCallJob.id.desc()).limit(limit)
        if status is not None:
            stmt = stmt.where(PostCallJob.status == status)
        return await self.store.run(lambda s: [job.as_dict() for job in s.scalars(stmt)])

    async def retry(self, job_id: int, viewer: Viewer) -> JobOut:
        """Queue a failed job again with fresh attempts (audited)."""

        def work(session: Session) -> JobOut:
            job = session.get(PostCallJob, job_id)
            if job is None:
                raise JobNotFound()
            if not jobs.retry(session, job_id, self.max_attempts):
                raise JobNotRetryable()
            audit.record(
                session, "job_retried", actor=viewer.username, target=job.call_id,
                ip=viewer.ip, job=job_id,
            )  # fmt: skip
            session.refresh(job)
            return job.as_dict()

        out = await self.store.run(work)
        await self.queue.notify(job_id)
        return out
