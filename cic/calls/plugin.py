"""Adds the call records to the application: ``install(app, deps)`` in ``create_app``.

The services are built with the shared ones (the AMI session feeds the call handler); this
adds the call list and one call with its timeline, and the agents' wrap-ups;
``install_register`` adds the supervisors' call register (pages and JSON).
"""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from cic.auth.actor import AgentInterface
from cic.calls import register_views, views, wrapup_views
from cic.calls.register import CallRegister
from cic.calls.register_service import (
    CaseLinks,
    IncidentLinks,
    RegisterService,
    TranscriptReader,
)
from cic.calls.service import CallService
from cic.calls.wrapup import WrapupService
from cic.db import Store
from cic.review.review import Review


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


@dataclass(frozen=True)
class RegisterDeps:
    """The store, the review (topics), the office zone and the other domains' readers."""

    store: Store
    review: Review
    timezone: str
    transcript: TranscriptReader
    case_links: CaseLinks
    incident_links: IncidentLinks


def install_register(app: web.Application, deps: RegisterDeps) -> RegisterService:
    """Add the call register's pages and JSON."""
    service = RegisterService(
        deps.store, CallRegister(deps.review, deps.timezone), deps.transcript,
        deps.case_links, deps.incident_links,
    )  # fmt: skip
    app.add_routes(register_views.routes(service))
    return service
