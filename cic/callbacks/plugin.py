"""Adds callbacks to the application: ``install(app, deps)`` in ``create_app``.

The service is built with the shared services (the store's opening loads its open requests
for the wallboard, and every AMI resync checks the calls it placed); this adds its API, the
FastAGI scripts the queue's exit and the placed call run (when callbacks are enabled) and the
loop that places due retries.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from cic.asterisk.agi import AgiServer
from cic.callbacks import views
from cic.callbacks.handlers import add_agi_scripts, run_retries
from cic.callbacks.service import CallbackService
from cic.supervisor import Supervisor


@dataclass(frozen=True)
class CallbacksDeps:
    """The service, the FastAGI server, whether callbacks are offered, and the supervisor."""

    service: CallbackService
    agi: AgiServer
    enabled: bool
    supervisor: Supervisor


def install(app: web.Application, deps: CallbacksDeps) -> None:
    """Add the routes, the FastAGI scripts (when enabled) and the retry loop."""
    app.add_routes(views.routes(deps.service))
    if deps.enabled:
        add_agi_scripts(deps.agi, deps.service)
    loops = {"cic-callback-retries": lambda: run_retries(deps.service)}
    app.cleanup_ctx.append(deps.supervisor.context(loops))
