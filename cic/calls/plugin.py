"""Adds the call records to the application: ``install(app, deps)`` in ``create_app``.

The services are built with the shared ones (the AMI session feeds the call handler); this
adds the call list and one call with its timeline, and the agents' wrap-ups.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from cic.auth.actor import AgentInterface
from cic.calls import views, wrapup_views
from cic.calls.service import CallService
from cic.calls.wrapup import WrapupService


@dataclass(frozen=True)
class CallsDeps:
    """The call and wrap-up services, and the device of a user's agent."""

    calls: CallService
    wrapups: WrapupService
    agent_interface: AgentInterface


def install(app: web.Application, deps: CallsDeps) -> None:
    """Add the calls API and the wrap-ups API."""
    app.add_routes(views.routes(deps.calls))
    app.add_routes(wrapup_views.routes(deps.wrapups, deps.agent_interface))
