"""Adds backups to the controller: ``install(app, deps)`` in ``create_app``.

While the controller runs it holds its lock on the state directory (``cic restore`` refuses
to run under it); with ``backup.schedule`` set, the daily backup runs under the app's
supervisor. Every run (also ``cic backup`` from a timer) writes the status file that
``/api/status`` shows as ``backup``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from cic.backup import locks, status
from cic.backup.errors import BackupError
from cic.backup.schedule import run_daily
from cic.backup.service import BackupService
from cic.config import Settings, schedule_time, settings_file
from cic.db import utcnow
from cic.supervisor import Supervisor

log = logging.getLogger(__name__)
TASK = "cic-backup-schedule"


@dataclass(frozen=True)
class BackupDeps:
    """What backups need in the controller: the settings, the supervisor, the clock."""

    settings: Settings
    supervisor: Supervisor
    now: Callable[[], datetime] = utcnow


async def scheduled_backup(service: BackupService) -> None:
    """One scheduled run in a worker thread; its outcome logged (and in the status file)."""
    try:
        result = await asyncio.to_thread(service.backup, actor="harmonogram")
    except BackupError as exc:
        log.error("backup: failed: %s", exc.message)
        return
    log.info("backup: %s (%d bytes, %d files, %d problem(s))", result.path, result.size,
             result.members, len(result.problems))  # fmt: skip
    for problem in result.problems:
        log.warning("backup: %s", problem.text())


def install(app: web.Application, deps: BackupDeps) -> None:
    """The controller lock for the app's life and, when scheduled, the daily backup."""
    settings = deps.settings
    at = schedule_time(settings.backup.schedule) if settings.backup.schedule else None

    async def context(_app: web.Application) -> AsyncIterator[None]:
        with locks.controller_lock(settings.state_dir) as mine:
            if not mine:
                log.warning("backup: another controller holds %s", settings.state_dir)
            if at is not None:
                service = BackupService(settings, settings_path=settings_file(), now=deps.now)
                zone = ZoneInfo(settings.office.timezone)
                deps.supervisor.start(TASK, lambda: run_daily(
                    lambda: scheduled_backup(service), at, zone, now=deps.now))  # fmt: skip
            yield
            await deps.supervisor.stop([TASK])

    app.cleanup_ctx.append(context)


def status_json(settings: Settings) -> dict[str, Any]:
    """The ``backup`` section of ``/api/status``: the last run's outcome and the schedule."""
    return {**status.read(settings.state_dir), "schedule": settings.backup.schedule or None}
