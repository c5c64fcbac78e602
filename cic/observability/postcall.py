"""Post-call jobs (transcription, redaction, topics): jobs by state and how long each took.

The jobs' table is the state of record and workers may run in a child process or on other
hosts, so the figures come from the table: :meth:`PostCallFigures.refresh` (before a scrape, at
most every ``every`` seconds) counts the jobs by state and puts the jobs finished since the last
refresh into the duration histogram (from the job's creation to done: waiting plus processing).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from prometheus_client import CollectorRegistry, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cic.db import Store, as_utc, utcnow
from cic.postcall.models import JOB_STATUSES, PostCallJob

JOB_BUCKETS = (5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0, 7200.0, 21600.0)
#: Jobs finished this long before the latest one seen are still looked for (commit delays,
#: clocks of worker hosts a little apart).
MARGIN = timedelta(minutes=2)


@dataclass(frozen=True)
class JobFigures:
    """Jobs by state, and the jobs done after a moment: (id, finished at, seconds taken)."""

    by_status: dict[str, int]
    finished: list[tuple[int, datetime, float]]


def read_figures(session: Session, since: datetime) -> JobFigures:
    """One count by state and the jobs done after ``since``."""
    counts = dict(
        session.execute(select(PostCallJob.status, func.count()).group_by(PostCallJob.status)).all()
    )
    rows = session.execute(
        select(PostCallJob.id, PostCallJob.created_at, PostCallJob.finished_at).where(
            PostCallJob.status == "done", PostCallJob.finished_at > since
        )
    ).all()
    finished = [
        (job_id, as_utc(done), max((as_utc(done) - as_utc(created)).total_seconds(), 0.0))
        for job_id, created, done in rows
        if created is not None and done is not None
    ]
    return JobFigures({s: int(counts.get(s, 0)) for s in JOB_STATUSES}, finished)


class PostCallFigures:
    """``cic_post_call_jobs{status}`` and ``cic_post_call_job_duration_seconds``."""

    def __init__(
        self,
        store: Store,
        registry: CollectorRegistry,
        *,
        every: float = 5.0,
        clock: Callable[[], datetime] = utcnow,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        """Read from ``store`` at most every ``every`` seconds; only jobs finished after the
        first refresh go into the histogram (it counts from the controller's start)."""
        self.store = store
        self.every = every
        self.clock = clock
        self.monotonic = monotonic
        self.by_status: dict[str, int] | None = None
        self.duration = Histogram(
            "cic_post_call_job_duration_seconds",
            "Post-call jobs done: seconds from the job's creation to done (wait + work)",
            buckets=JOB_BUCKETS, registry=registry,
        )  # fmt: skip
        self._since: datetime | None = None
        self._seen: dict[int, datetime] = {}
        self._read_at: float | None = None

    async def refresh(self) -> None:
        """Read the table again unless it was read less than ``every`` seconds ago."""
        now = self.monotonic()
        if self._read_at is not None and now - self._read_at < self.every:
            return
        self._read_at = now
        wall = self.clock()
        since = wall if self._since is None else self._since
        figures = await self.store.run(lambda s: read_figures(s, since - MARGIN))
        self.by_status = figures.by_status
        for job_id, finished_at, seconds in figures.finished:
            if job_id in self._seen:
                continue
            self._seen[job_id] = finished_at
            if self._since is not None:  # on the first read they are history, not observed
                self.duration.observe(seconds)
        self._since = wall
        # What the next read can return again (finished within MARGIN before now).
        self._seen = {k: v for k, v in self._seen.items() if v > wall - MARGIN}

    def collect(self) -> Iterator[Metric]:
        """Jobs by state as last read (nothing before the first read)."""
        if self.by_status is None:
            return
        jobs = GaugeMetricFamily(
            "cic_post_call_jobs", "Post-call jobs in the table by state", labels=["status"]
        )
        for status, count in self.by_status.items():
            jobs.add_metric([status], count)
        yield jobs
