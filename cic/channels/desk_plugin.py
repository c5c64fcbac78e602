"""Adds the front desk (walk-in visits) to the application: ``install(app, deps)`` in
``create_app``."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from cic.auth.actor import AgentInterface
from cic.channels import visit_views
from cic.channels.visits import VisitService
from cic.db import Store
from cic.topics.taxonomy import load_taxonomy


@dataclass(frozen=True)
class DeskDeps:
    """The store, the reply targets per channel and the office's time zone, the taxonomy
    file of the office's common matters (empty: the packaged one), the key of the PESEL
    digests and the device of a user's agent."""

    store: Store
    reply_days: dict[str, int]
    zone: str
    taxonomy: str
    pesel_key: bytes
    interface_of: AgentInterface


def install(app: web.Application, deps: DeskDeps) -> VisitService:
    """Add the desk page and its API; returns the visit service."""
    service = VisitService(
        deps.store, reply_days=deps.reply_days, zone=deps.zone,
        taxonomy=load_taxonomy(deps.taxonomy or None), pesel_key=deps.pesel_key,
    )  # fmt: skip
    app.add_routes(visit_views.routes(service, deps.interface_of))
    return service
