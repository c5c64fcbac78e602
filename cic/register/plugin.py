"""Adds the call register to the application: ``install(app, deps)`` in ``create_app``, after
the review, recordings, cases and incidents it reads through."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from cic.db import Store
from cic.register import views
from cic.register.listing import CallRegister
from cic.register.service import CaseLinks, IncidentLinks, RegisterService, TranscriptReader
from cic.review.review import Review


@dataclass(frozen=True)
class RegisterDeps:
    """The store, the review (topics), the office zone and the other domains' readers."""

    store: Store
    review: Review
    timezone: str
    transcript: TranscriptReader
    case_links: CaseLinks
    incident_links: IncidentLinks


def install(app: web.Application, deps: RegisterDeps) -> RegisterService:
    """Add the call register's pages and JSON."""
    service = RegisterService(
        deps.store, CallRegister(deps.review, deps.timezone), deps.transcript,
        deps.case_links, deps.incident_links,
    )  # fmt: skip
    app.add_routes(views.routes(service))
    return service
