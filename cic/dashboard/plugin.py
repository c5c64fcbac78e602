"""Adds the dashboard (``/wskazniki``) to the application: ``install(app, deps)`` in
``create_app``. Routes only: the measures read what the other domains store."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from aiohttp import web

from cic.dashboard import views
from cic.dashboard.access import CentreLoad, DashboardReader, Measures


@dataclass(frozen=True)
class DashboardDeps:
    """The measures' service, the office's name (on the pages and the council report), its
    time zone, today's date there (the default period: this month so far) and the contact
    centre's heat map and staffing forecast (None: not shown)."""

    measures: Measures
    office: str
    timezone: str
    today: Callable[[], date]
    centre: CentreLoad | None = None


def install(app: web.Application, deps: DashboardDeps) -> DashboardReader:
    """Add the dashboard's pages, JSON and files; returns the role-checking reader."""
    reader = DashboardReader(deps.measures, deps.centre)
    app.add_routes(views.routes(reader, views.Office(deps.office, deps.timezone, deps.today)))
    return reader
