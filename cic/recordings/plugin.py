"""Adds recordings to the application: ``install(app, deps)`` in ``create_app``.

Routes are added at once; after start-up (the store's cleanup context has migrated by then)
the making of the day folders Asterisk records into (hourly, ahead of time), the bus
follower, the workers (``speech.workers``, in a child process by default, see
``cic.recordings.child``; 0 for a controller that leaves the work to ``python -m
cic.recordings`` on other hosts) and the daily retention run start; at
clean-up they stop before the store closes. Every loop runs under the app's supervisor.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from cic.asterisk.provision import Layout
from cic.bus import Bus
from cic.config import Settings
from cic.db import Store
from cic.recordings import review_views, views
from cic.recordings.backlog import BacklogWatch
from cic.recordings.build import make_pipeline, make_queue, make_service, make_workers
from cic.recordings.child import WorkerChild, worker_command, worker_environment
from cic.recordings.folders import keep_day_folders
from cic.recordings.handlers import enqueue_missing, follow_recordings
from cic.recordings.review import Review
from cic.recordings.service import RecordingsService
from cic.supervisor import Supervisor
from cic.topics.taxonomy import load_taxonomy

log = logging.getLogger(__name__)
RECORDINGS = web.AppKey("recordings", RecordingsService)
WORKER_CHILD = web.AppKey("post_call_process", WorkerChild)
BACKLOG = web.AppKey("post_call_backlog", BacklogWatch)
DAY = 24 * 3600.0


async def retention_daily(service: RecordingsService, every: float = DAY) -> None:
    """Run retention now and then once a day; a failure is logged and tried the next day."""
    while True:
        try:
            report = await service.run_retention()
            log.info("retention: %s", report)
        except Exception:
            log.exception("retention run failed")
        await asyncio.sleep(every)


async def sweep_missing(service: RecordingsService, every: float = 600.0) -> None:
    """Every ``every`` seconds, queue recordings whose bus message was lost (no job yet)."""
    while True:
        await asyncio.sleep(every)
        try:
            created = await enqueue_missing(service)
            if created:
                log.info("post-call jobs: %d recording(s) without a job queued", created)
        except Exception:
            log.exception("post-call jobs: looking for recordings without a job failed")


def root_for(settings: Settings, layout: Layout) -> Path:
    """``speech.recordings_root`` or the recordings directory of ``layout`` on this host."""
    configured = settings.speech.recordings_root
    return Path(configured) if configured else layout.host(layout.recordings)


@dataclass(frozen=True)
class RecordingsDeps:
    """What recordings need: settings (speech, office, Redis), where Asterisk records, the
    store, the bus its records arrive on, and the supervisor its loops run under."""

    settings: Settings
    layout: Layout
    store: Store
    bus: Bus
    supervisor: Supervisor


def install(app: web.Application, deps: RecordingsDeps) -> RecordingsService:
    """Build the service, keep it under ``app[RECORDINGS]``, add routes and background work."""
    settings = deps.settings.speech
    store, supervisor = deps.store, deps.supervisor
    root = root_for(deps.settings, deps.layout)
    queue = make_queue(settings, store, deps.settings.redis_url)
    service = make_service(settings, store, queue, root)
    app[RECORDINGS] = service
    app.add_routes(views.routes(service, tuple(settings.hold_roles)))
    review = Review(load_taxonomy(), deps.settings.office.timezone)
    app.add_routes(review_views.routes(review, store))
    started: list[str] = []
    watch = app[BACKLOG] = BacklogWatch(
        store, deps.bus, alert_jobs=settings.backlog_alert_jobs,
        alert_minutes=settings.backlog_alert_minutes,
    )  # fmt: skip
    child = None
    if settings.enabled and settings.workers and settings.worker_process:
        child = app[WORKER_CHILD] = WorkerChild(
            worker_command(deps.settings), env=worker_environment(deps.settings)
        )

    def start(name: str, loop: Callable[[], Awaitable[None]]) -> None:
        supervisor.start(name, loop)
        started.append(name)

    async def background(_app: web.Application) -> AsyncIterator[None]:
        start("cic-recording-folders", lambda: keep_day_folders(root))
        if settings.enabled:
            await start_post_call()
        yield
        await supervisor.stop(started)
        await queue.close()

    async def start_post_call() -> None:
        ready = asyncio.Event()
        start("cic-recordings-follow", lambda: follow_recordings(deps.bus, service, ready))
        start("cic-retention", lambda: retention_daily(service))
        start("cic-recordings-sweep", lambda: sweep_missing(service))
        start("cic-post-call-backlog", watch.run)
        if settings.workers and not settings.stt.get("model_dir"):
            log.warning("post-call jobs: speech.stt.model_dir is not set; jobs wait for a worker")
        elif child is not None:
            start("cic-post-call-process", child.run)
        elif settings.workers:
            pipeline = make_pipeline(settings, store)
            for worker in make_workers(settings, store, queue, pipeline):
                start(f"cic-{worker.name}", worker.run_forever)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(ready.wait(), timeout=5.0)
        try:
            created = await enqueue_missing(service)
        except Exception:  # the database may be down at start; the sweep tries again
            log.exception("post-call jobs: looking for recordings without a job failed")
        else:
            if created:
                log.info("post-call jobs: %d recording(s) without a job queued", created)

    app.cleanup_ctx.append(background)
    return service
