"""The job table's state machine, as plain functions on a session (run them in ``Store.run``).

Claiming is one conditional ``UPDATE`` whose row count says who won: a job is claimable when
it is queued and due, or running with an expired lease (its worker died). Two workers, in one
process or on two hosts, can never both hold a job; PostgreSQL and SQLite behave the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cic.db import utcnow
from cic.postcall.models import PostCallJob

ERROR_LENGTH = 2000


@dataclass(frozen=True, slots=True)
class ClaimedJob:
    """A job this worker holds: what to process and which attempt this is."""

    id: int
    call_id: str
    recording_path: str
    attempts: int
    max_attempts: int


def backoff(attempts: int, base: float, ceiling: float) -> float:
    """Seconds to wait after failed attempt ``attempts``: base, 2*base, 4*base ... ceiling."""
    return float(min(ceiling, base * 2 ** max(attempts - 1, 0)))


def enqueue(session: Session, call_id: str, path: str, max_attempts: int) -> tuple[int, bool]:
    """The job for (call, recording), created if new; returns ``(id, created)``."""
    key = (PostCallJob.call_id == call_id, PostCallJob.recording_path == path)
    existing = session.scalars(select(PostCallJob.id).where(*key)).first()
    if existing is not None:
        return existing, False
    job = PostCallJob(call_id=call_id, recording_path=path, max_attempts=max_attempts)
    try:
        with session.begin_nested():
            session.add(job)
    except IntegrityError:  # another process created it in between
        return session.scalars(select(PostCallJob.id).where(*key)).one(), False
    return job.id, True


def _claimable(now: datetime) -> object:
    return or_(
        and_(PostCallJob.status == "queued", PostCallJob.next_at <= now),
        and_(PostCallJob.status == "running", PostCallJob.lease_until < now),
    )


def claim(session: Session, job_id: int, owner: str, lease: float) -> ClaimedJob | None:
    """Take ``job_id`` for ``owner`` for ``lease`` seconds, if it is claimable; else None."""
    now = utcnow()
    result = session.execute(
        update(PostCallJob)
        .where(PostCallJob.id == job_id, _claimable(now))  # type: ignore[arg-type]
        .values(
            status="running",
            lease_owner=owner,
            lease_until=now + timedelta(seconds=lease),
            attempts=PostCallJob.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return None
    job = session.get(PostCallJob, job_id, populate_existing=True)
    assert job is not None
    return ClaimedJob(job.id, job.call_id, job.recording_path, job.attempts, job.max_attempts)


def claim_due(session: Session, owner: str, lease: float, limit: int = 5) -> ClaimedJob | None:
    """Claim the oldest claimable job, trying a few candidates another worker may win first."""
    now = utcnow()
    candidates = session.scalars(
        select(PostCallJob.id)
        .where(_claimable(now))  # type: ignore[arg-type]
        .order_by(PostCallJob.next_at, PostCallJob.id)
        .limit(limit)
    ).all()
    for job_id in candidates:
        claimed = claim(session, job_id, owner, lease)
        if claimed is not None:
            return claimed
    return None


def status_of(session: Session, job_id: int) -> str | None:
    """The job's status, None if there is no such job."""
    return session.scalars(select(PostCallJob.status).where(PostCallJob.id == job_id)).first()


def renew(session: Session, job_id: int, owner: str, lease: float) -> bool:
    """Extend the lease while working; False when the job is no longer this worker's."""
    result = session.execute(
        update(PostCallJob)
        .where(
            PostCallJob.id == job_id,
            PostCallJob.lease_owner == owner,
            PostCallJob.status == "running",
        )
        .values(lease_until=utcnow() + timedelta(seconds=lease))
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def mark_step(session: Session, job_id: int, owner: str, step: str) -> None:
    """Note the step being worked on (shown to the supervisor)."""
    session.execute(
        update(PostCallJob)
        .where(PostCallJob.id == job_id, PostCallJob.lease_owner == owner)
        .values(step=step)
    )


def complete(session: Session, job_id: int, owner: str) -> bool:
    """Mark the job done (only by its lease holder)."""
    result = session.execute(
        update(PostCallJob)
        .where(PostCallJob.id == job_id, PostCallJob.lease_owner == owner)
        .values(status="done", step="done", lease_until=None, finished_at=utcnow(), last_error="")
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def fail(session: Session, job_id: int, owner: str, error: str, base: float, ceiling: float) -> str:
    """After a failed attempt: queued again after the back-off, or failed for good.

    Returns the new status (``queued`` or ``failed``); ``""`` if the job is not this worker's.
    """
    job = session.get(PostCallJob, job_id)
    if job is None or job.lease_owner != owner or job.status != "running":
        return ""
    job.last_error = error[:ERROR_LENGTH]
    job.lease_until = None
    if job.attempts >= job.max_attempts:
        job.status = "failed"
        job.finished_at = utcnow()
    else:
        job.status = "queued"
        job.next_at = utcnow() + timedelta(seconds=backoff(job.attempts, base, ceiling))
    return job.status


def retry(session: Session, job_id: int, max_attempts: int) -> bool:
    """A supervisor's retry of a failed job: queued now with a fresh set of attempts."""
    result = session.execute(
        update(PostCallJob)
        .where(PostCallJob.id == job_id, PostCallJob.status == "failed")
        .values(
            status="queued",
            attempts=0,
            max_attempts=max_attempts,
            next_at=utcnow(),
            finished_at=None,
            lease_owner="",
        )
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def forget(session: Session, call_id: str) -> None:
    """Delete the call's jobs, whatever their state (its recordings are being deleted: by
    retention or a resident's erasure, see ``cic.recordings.retention.CallPurge``)."""
    session.execute(delete(PostCallJob).where(PostCallJob.call_id == call_id))
