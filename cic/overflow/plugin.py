"""Adds first-line overflow to the application: ``install(app, deps)`` in ``create_app``.

The capacity service is built with the shared services (its state is loaded when the store
opens and refreshed on every AMI resync); this adds its API and the two loops that borrow
reserve agents under load and give them back.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from cic.bus import Bus
from cic.overflow import views
from cic.overflow.handlers import watch_load, watch_logouts
from cic.overflow.service import FirstLineCapacity
from cic.supervisor import Supervisor
from cic.wallboard.service import Wallboard


@dataclass(frozen=True)
class OverflowDeps:
    """The capacity service, the wallboard it reads the load from, the bus its agents' logouts
    come on, and the supervisor of its loops."""

    capacity: FirstLineCapacity
    board: Wallboard
    bus: Bus
    supervisor: Supervisor


def install(app: web.Application, deps: OverflowDeps) -> None:
    """Add the routes and the watching loops."""
    app.add_routes(views.routes(deps.capacity))
    loops = {
        "cic-first-line-load": lambda: watch_load(deps.capacity, deps.board),
        "cic-first-line-logouts": lambda: watch_logouts(deps.capacity, deps.bus),
    }
    app.cleanup_ctx.append(deps.supervisor.context(loops))
