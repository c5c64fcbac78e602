"""Adds the wallboard to the application: ``install(app, deps)`` in ``create_app``.

The board itself is built with the shared services (the first-line capacity watches it and
the store's opening loads it); this adds its page, API and websocket, and the two loops that
feed it from the bus and publish its snapshots.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from cic.bus import Bus
from cic.supervisor import Supervisor
from cic.wallboard import views
from cic.wallboard.handlers import WallboardFeeder
from cic.wallboard.service import Wallboard
from cic.wallboard.views import Guard


@dataclass(frozen=True)
class WallboardDeps:
    """The board, its feeder, the bus it streams from, the role check of its pages and the
    supervisor of its loops."""

    board: Wallboard
    feeder: WallboardFeeder
    bus: Bus
    guard: Guard
    supervisor: Supervisor


def install(app: web.Application, deps: WallboardDeps) -> None:
    """Add the routes and the feeding loops."""
    app.add_routes(views.routes(deps.board, deps.bus, deps.guard))
    loops = {"cic-wallboard-in": deps.feeder.consume, "cic-wallboard-out": deps.feeder.publish}
    app.cleanup_ctx.append(deps.supervisor.context(loops))
