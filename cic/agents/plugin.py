"""Adds the agents to the application: ``install(app, deps)`` in ``create_app``.

The service is built with the shared ones (the AMI session feeds it presence); this adds the
agents API (presence commands) and the directory of who is free right now.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from cic.agents import directory, views
from cic.agents.service import AgentService
from cic.db import Store


@dataclass(frozen=True)
class AgentsDeps:
    """The agents service, the store the directory reads, and the first-line queue (the
    queue of an agent created without any)."""

    agents: AgentService
    store: Store
    first_line_queue: str


def install(app: web.Application, deps: AgentsDeps) -> None:
    """Add the agents API and the directory."""
    app.add_routes(views.routes(deps.agents, deps.first_line_queue))
    app.add_routes(directory.routes(deps.store, deps.agents))
