"""Adds recordings to the application: ``install(app, deps)`` in ``create_app``.

Routes are added at once; after start-up (the store's cleanup context has migrated by then)
the making of the day folders Asterisk records into (hourly, ahead of time) and, with
post-call processing enabled (``speech.enabled``), the daily retention run start; at clean-up
they stop before the store closes. Every loop runs under the app's supervisor. The post-call
jobs that fill the transcripts are ``cic.postcall``'s.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from cic.asterisk.provision import Layout
from cic.config import Settings
from cic.db import Store
from cic.recordings import views
from cic.recordings.folders import keep_day_folders
from cic.recordings.retention import CallPurge
from cic.recordings.service import RecordingsService
from cic.supervisor import Loop, Supervisor

log = logging.getLogger(__name__)
RECORDINGS = web.AppKey("recordings", RecordingsService)
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


def root_for(settings: Settings, layout: Layout) -> Path:
    """``speech.recordings_root`` or the recordings directory of ``layout`` on this host."""
    configured = settings.speech.recordings_root
    return Path(configured) if configured else layout.host(layout.recordings)


def make_service(
    settings: Settings, root: Path, store: Store, also_purge: tuple[CallPurge, ...] = ()
) -> RecordingsService:
    """The service with the configured retention, playback roles and unredacted-text role."""
    speech = settings.speech
    return RecordingsService(
        store,
        root,
        retention_days=speech.retention_days,
        unredacted_role=speech.unredacted_role,
        playback_roles=speech.playback_roles,
        also_purge=also_purge,
    )


@dataclass(frozen=True)
class RecordingsDeps:
    """What recordings need: settings (speech), where Asterisk records, the store, the
    supervisor its loops run under, and what else retention deletes with a call's recordings
    (the post-call jobs)."""

    settings: Settings
    layout: Layout
    store: Store
    supervisor: Supervisor
    also_purge: tuple[CallPurge, ...] = ()


def install(app: web.Application, deps: RecordingsDeps) -> RecordingsService:
    """Build the service, keep it under ``app[RECORDINGS]``, add routes and background work."""
    settings = deps.settings.speech
    root = root_for(deps.settings, deps.layout)
    service = make_service(deps.settings, root, deps.store, deps.also_purge)
    app[RECORDINGS] = service
    app.add_routes(views.routes(service, tuple(settings.hold_roles)))
    loops: dict[str, Loop] = {"cic-recording-folders": lambda: keep_day_folders(root)}
    if settings.enabled:
        loops["cic-retention"] = lambda: retention_daily(service)
    app.cleanup_ctx.append(deps.supervisor.context(loops))
    return service
