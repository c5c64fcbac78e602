"""How far behind post-call processing is: jobs waiting, the oldest wait, and an alert.

An office sizes its workers by this (``bench/post_call_jobs.py`` prints recordings per hour per
worker). ``BacklogWatch`` reads the figures every ``every`` seconds (one small query, off the
event loop), keeps the latest for the status page, publishes them on the bus topic
``post_call`` for the wallboard, and logs when the backlog passes ``alert_jobs`` waiting jobs or
an oldest wait of ``alert_minutes`` (and when it is back under both).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cic.bus import Bus
from cic.db import Store, as_utc, utcnow
from cic.postcall.models import PostCallJob

log = logging.getLogger(__name__)
TOPIC = "post_call"


@dataclass(frozen=True)
class Backlog:
    """Jobs by state and the age of the oldest one waiting (queued or running), seconds."""

    queued: int
    running: int
    failed: int
    oldest_wait_seconds: float | None
    alert: bool = False

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return asdict(self)


def read_backlog(session: Session, now: datetime) -> Backlog:
    """The figures now (``failed`` counts jobs that gave up and wait for a supervisor)."""
    counts = dict(
        session.execute(
            select(PostCallJob.status, func.count())
            .where(PostCallJob.status.in_(("queued", "running", "failed")))
            .group_by(PostCallJob.status)
        ).all()
    )
    oldest = session.scalar(
        select(func.min(PostCallJob.created_at)).where(
            PostCallJob.status.in_(("queued", "running"))
        )
    )
    age = None if oldest is None else round((now - as_utc(oldest)).total_seconds(), 1)
    return Backlog(
        int(counts.get("queued", 0)), int(counts.get("running", 0)), int(counts.get("failed", 0)),
        None if age is None else max(age, 0.0),
    )  # fmt: skip


class BacklogWatch:
    """Keeps :attr:`latest` current and raises the alert (see the module doc)."""

    def __init__(
        self,
        store: Store,
        bus: Bus,
        *,
        every: float = 15.0,
        alert_jobs: int = 200,
        alert_minutes: float = 120.0,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        """Read from ``store`` and publish on ``bus``; thresholds as in the module doc."""
        self.store = store
        self.bus = bus
        self.every = every
        self.alert_jobs = alert_jobs
        self.alert_minutes = alert_minutes
        self.clock = clock
        self.latest: Backlog | None = None

    def _alerting(self, backlog: Backlog) -> bool:
        waiting = backlog.queued + backlog.running
        old = (backlog.oldest_wait_seconds or 0.0) >= self.alert_minutes * 60
        return waiting >= self.alert_jobs or old

    async def check(self) -> Backlog:
        """Read the figures once, note an alert change and publish them."""
        now = self.clock()
        read = await self.store.run(lambda s: read_backlog(s, now))
        backlog = Backlog(**{**read.as_dict(), "alert": self._alerting(read)})
        before = self.latest.alert if self.latest else False
        if backlog.alert and not before:
            log.warning(
                "post-call backlog: %d job(s) waiting, the oldest for %.0f min; add workers",
                backlog.queued + backlog.running, (backlog.oldest_wait_seconds or 0) / 60,
            )  # fmt: skip
        elif before and not backlog.alert:
            log.info("post-call backlog back under the alert thresholds")
        self.latest = backlog
        await self.bus.publish(TOPIC, {"type": "PostCallBacklog", **backlog.as_dict()})
        return backlog

    async def run(self) -> None:
        """Check every ``every`` seconds until cancelled; a failed check is logged."""
        while True:
            try:
                await self.check()
            except Exception as exc:
                log.warning("post-call backlog: could not read the figures: %s", exc)
            await asyncio.sleep(self.every)

    def as_dict(self) -> dict[str, Any] | None:
        """The latest figures with the thresholds, or None before the first check."""
        if self.latest is None:
            return None
        return {**self.latest.as_dict(), "alert_jobs": self.alert_jobs,
                "alert_minutes": self.alert_minutes}  # fmt: skip
