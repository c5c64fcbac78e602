"""Adds the case register to the application: ``install_cases(app, services)`` in ``create_app``.

The tables come with the migrations the store's cleanup context runs; nothing starts here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from cic.cases import views
from cic.cases.service import CaseService

if TYPE_CHECKING:
    from cic.app import Services

CASES = web.AppKey("cases", CaseService)


def install_cases(app: web.Application, services: Services) -> CaseService:
    """Build the service, keep it under ``app[CASES]`` and add the API."""
    service = CaseService(services.store)
    app[CASES] = service
    app.add_routes(views.routes(service))
    return service
