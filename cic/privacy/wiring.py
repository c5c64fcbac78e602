"""Adds residents' rights to the application: ``install_privacy(app, services)``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from cic.privacy import views
from cic.privacy.service import PrivacyService
from cic.recordings.wiring import recordings_root

if TYPE_CHECKING:
    from cic.app import Services

PRIVACY = web.AppKey("privacy", PrivacyService)


def install_privacy(app: web.Application, services: Services) -> PrivacyService:
    """Build the service (erased numbers leave the last-agent index too) and add its routes."""
    service = PrivacyService(
        services.store,
        services.settings,
        recordings_root(services),
        forget_numbers=services.calls.last_agents.forget,
    )
    app[PRIVACY] = service
    app.add_routes(views.routes(service, services.residents.search))
    return service
