"""Adds the agents' console to the application: ``install(app, deps)`` in ``create_app``."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from cic.agents.service import AgentService
from cic.bus import Bus
from cic.calls.service import CallService
from cic.config import Settings
from cic.console import views
from cic.console.views import OpenMatters
from cic.credentials import Credentials
from cic.residents.service import ResidentService


@dataclass(frozen=True)
class ConsoleDeps:
    """What the console page and its live updates read: the settings and credentials (the
    browser phone's account), agents, calls, the bus, residents and their open matters."""

    settings: Settings
    credentials: Credentials
    agents: AgentService
    calls: CallService
    bus: Bus
    residents: ResidentService
    matters: OpenMatters


def install(app: web.Application, deps: ConsoleDeps) -> None:
    """Add the console page and its websocket."""
    d = deps
    routes = views.routes(
        d.settings, d.credentials, d.agents, d.calls, d.bus, d.residents, d.matters
    )
    app.add_routes(routes)
