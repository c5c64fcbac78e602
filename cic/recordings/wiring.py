"""Adds recordings to the application: ``install_recordings(app, services)`` in ``create_app``.

Routes are added at once; after start-up (the store's cleanup context has migrated by then)
the making of the day folders Asterisk records into (hourly, ahead of time), the bus
follower, the workers (``speech.workers``, in a child process by default, see
``cic.recordings.child``; 0 for a controller that leaves the work to ``python -m
cic.recordings`` on other hosts) and the daily retention run start; at
clean-up they stop before the store closes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from aiohttp import web

from cic.asterisk.provision import Layout
from cic.config import Settings
from cic.recordings import review_views, views
from cic.recordings.backlog import BacklogWatch
from cic.recordings.build import make_pipeline, make_queue, make_service, make_workers
from cic.recordings.child import WorkerChild, worker_command, worker_environment
from cic.recordings.folders import keep_day_folders
from cic.recordings.handlers import enqueue_missing, follow_recordings
from cic.recordings.review import Review
from cic.recordings.service import RecordingsService
from cic.topics.taxonomy import load_taxonomy

if TYPE_CHECKING:
    from cic.app import Services

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


def recordings_root(services: Services) -> Path:
    """``speech.recordings_root`` or the Asterisk instance's recordings directory."""
    return root_for(services.settings, services.layout)


def root_for(settings: Settings, layout: Layout) -> Path:
    """``speech.recordings_root`` or the recordings directory of ``layout`` on this host."""
    configured = settings.speech.recordings_root
    return Path(configured) if configured else layout.host(layout.recordings)


def install_recordings(app: web.Application, services: Services) -> RecordingsService:
    """Build the service, keep it under ``app[RECORDINGS]``, add routes and background work."""
    settings = services.settings.speech
    queue = make_queue(settings, services.store, services.settings.redis_url)
    service = make_service(settings, services.store, queue, recordings_root(services))
    app[RECORDINGS] = service
    app.add_routes(views.routes(service, tuple(settings.hold_roles)))
    review = Review(load_taxonomy(), services.settings.office.timezone)
    app.add_routes(review_views.routes(review, services.store))
    tasks: list[asyncio.Task[None]] = []
    watch = app[BACKLOG] = BacklogWatch(
        services.store, services.bus, alert_jobs=settings.backlog_alert_jobs,
        alert_minutes=settings.backlog_alert_minutes,
    )  # fmt: skip
    child = None
    if settings.enabled and settings.workers and settings.worker_process:
        child = app[WORKER_CHILD] = WorkerChild(
            worker_command(services.settings), env=worker_environment(services.settings)
        )

    async def start(_app: web.Application) -> None:
        folders = keep_day_folders(recordings_root(services))
        tasks.append(asyncio.create_task(folders, name="cic-recording-folders"))
        if not settings.enabled:
            return
        ready = asyncio.Event()
        follower = follow_recordings(services.bus, service, ready)
        tasks.append(asyncio.create_task(follower, name="cic-recordings-follow"))
        tasks.append(asyncio.create_task(retention_daily(service), name="cic-retention"))
        tasks.append(asyncio.create_task(sweep_missing(service), name="cic-recordings-sweep"))
        tasks.append(asyncio.create_task(watch.run(), name="cic-post-call-backlog"))
        if settings.workers and not settings.stt.get("model_dir"):
            log.warning("post-call jobs: speech.stt.model_dir is not set; jobs wait for a worker")
        elif child is not None:
            tasks.append(asyncio.create_task(child.run(), name="cic-post-call-process"))
        elif settings.workers:
            pipeline = make_pipeline(settings, services.store)
            for worker in make_workers(settings, services.store, queue, pipeline):
                task = asyncio.create_task(worker.run_forever(), name=f"cic-{worker.name}")
                tasks.append(task)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(ready.wait(), timeout=5.0)
        try:
            created = await enqueue_missing(service)
        except Exception:  # the database may be down at start; the sweep tries again
            log.exception("post-call jobs: looking for recordings without a job failed")
        else:
            if created:
                log.info("post-call jobs: %d recording(s) without a job queued", created)

    async def stop(_app: web.Application) -> None:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await queue.close()

    app.on_startup.append(start)
    app.on_cleanup.insert(0, stop)
    return service
