"""Adds the residents' records to the application: ``install(app, deps)`` in ``create_app``."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from cic.residents import views
from cic.residents.service import ResidentService


@dataclass(frozen=True)
class ResidentsDeps:
    """The residents service (other domains add their history sources to it)."""

    residents: ResidentService


def install(app: web.Application, deps: ResidentsDeps) -> None:
    """Add the residents API."""
    app.add_routes(views.routes(deps.residents))
