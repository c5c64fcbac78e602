"""Adds the post-call job system to the application: ``install(app, deps)`` in ``create_app``.

Routes are added at once; after start-up (the store's cleanup context has migrated by then),
with post-call processing enabled (``speech.enabled``), the bus follower that makes a job per
attached call recording, the sweep for recordings whose message was lost, the backlog watch
and the workers start (``speech.workers``, in a child process by default, see
``cic.postcall.child``; 0 for a controller that leaves the work to ``cic worker`` on other
hosts); at clean-up they stop before the store closes, and the queue closes. Every loop runs
under the app's supervisor.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web

from cic.bus import Bus
from cic.config import Settings
from cic.db import Store
from cic.postcall import views
from cic.postcall.backlog import BacklogWatch
from cic.postcall.build import (
    make_pipeline,
    make_queue,
    make_service,
    make_workers,
    topic_cache,
)
from cic.postcall.child import WorkerChild, worker_command, worker_environment
from cic.postcall.handlers import enqueue_missing, follow_recordings
from cic.postcall.service import PostCallService
from cic.supervisor import Supervisor

log = logging.getLogger(__name__)
POST_CALL = web.AppKey("post_call", PostCallService)
WORKER_CHILD = web.AppKey("post_call_process", WorkerChild)
BACKLOG = web.AppKey("post_call_backlog", BacklogWatch)


async def sweep_missing(service: PostCallService, every: float = 600.0) -> None:
    """Every ``every`` seconds, queue recordings whose bus message was lost (no job yet)."""
    while True:
        await asyncio.sleep(every)
        try:
            created = await enqueue_missing(service)
            if created:
                log.info("post-call jobs: %d recording(s) without a job queued", created)
        except Exception:
            log.exception("post-call jobs: looking for recordings without a job failed")


@dataclass(frozen=True)
class PostCallDeps:
    """What the job system needs: settings (speech, Redis, the database for the worker
    process), the store, the bus call recordings arrive on, and the supervisor its loops run
    under."""

    settings: Settings
    store: Store
    bus: Bus
    supervisor: Supervisor


def install(app: web.Application, deps: PostCallDeps) -> PostCallService:
    """Build the service, keep it under ``app[POST_CALL]``, add routes and background work."""
    settings = deps.settings.speech
    store, supervisor = deps.store, deps.supervisor
    queue = make_queue(settings, store, deps.settings.redis_url)
    service = make_service(settings, store, queue)
    app[POST_CALL] = service
    app.add_routes(views.routes(service))
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
        if settings.enabled:
            await start_post_call()
        yield
        await supervisor.stop(started)
        await queue.close()

    async def start_post_call() -> None:
        ready = asyncio.Event()
        start("cic-recordings-follow", lambda: follow_recordings(deps.bus, service, ready))
        start("cic-recordings-sweep", lambda: sweep_missing(service))
        start("cic-post-call-backlog", watch.run)
        if settings.workers and not settings.stt.get("model_dir"):
            log.warning("post-call jobs: speech.stt.model_dir is not set; jobs wait for a worker")
        elif child is not None:
            start("cic-post-call-process", child.run)
        elif settings.workers:
            pipeline = make_pipeline(settings, store, topic_cache(deps.settings))
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
