"""Adds the case register to the application: ``install_cases(app, services)`` in ``create_app``.

The tables come with the migrations the store's cleanup context runs; nothing starts here.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from aiohttp import web

from cic.asterisk import prompts
from cic.cases import views
from cic.cases.handlers import case_status_script
from cic.cases.phone import PhoneStatus
from cic.cases.service import CaseService

if TYPE_CHECKING:
    from cic.app import Services

CASES = web.AppKey("cases", CaseService)


def install_cases(app: web.Application, services: Services) -> CaseService:
    """Build the service, keep it under ``app[CASES]``, add the API and the FastAGI step of
    case status by phone (its spoken answers go to ``<prompts>/status/<call id>.wav``)."""
    service = CaseService(services.store)
    app[CASES] = service
    app.add_routes(views.routes(service, services.agents.interface_of))
    layout = services.layout

    async def speak(call_id: str, text: str) -> str:
        name = "".join(c for c in call_id if c.isascii() and (c.isalnum() or c in ".-_"))
        host_dir = layout.host(f"{layout.prompts}/status")
        await asyncio.to_thread(prompts.spoken_file, text, host_dir, name or "call")
        return f"{layout.prompts}/status/{name or 'call'}"

    services.agi.add_script(
        "case-status", case_status_script(PhoneStatus(services.store), speak), timeout=15.0
    )
    return service
