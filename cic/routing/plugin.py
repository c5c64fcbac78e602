"""Adds the office's state to the application: ``install(app, deps)`` in ``create_app``.

Routing itself runs in the FastAGI server (built with the shared services); this adds the
API that shows whether the office is open and lets a supervisor switch its mode.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from cic.routing import views
from cic.routing.calendar import OfficeCalendar
from cic.routing.mode import OfficeModeSwitch


@dataclass(frozen=True)
class RoutingDeps:
    """The office's mode switch and its calendar."""

    mode: OfficeModeSwitch
    calendar: OfficeCalendar


def install(app: web.Application, deps: RoutingDeps) -> None:
    """Add the office-state API."""
    app.add_routes(views.routes(deps.mode, deps.calendar))
