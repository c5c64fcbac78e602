"""Adds the case register to the application: ``install(app, deps)`` in ``create_app``.

The tables come with the migrations the store's cleanup context runs; nothing starts here.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from aiohttp import web

from cic.asterisk import prompts
from cic.asterisk.agi import AgiServer
from cic.asterisk.provision import Layout
from cic.auth.actor import AgentInterface
from cic.cases import views
from cic.cases.handlers import case_status_script
from cic.cases.phone import PhoneStatus
from cic.cases.service import CaseService
from cic.db import Store

CASES = web.AppKey("cases", CaseService)


@dataclass(frozen=True)
class CasesDeps:
    """What the case register needs: its store, the FastAGI server for case status by phone,
    where prompts live, and the device of a user's agent."""

    store: Store
    agi: AgiServer
    layout: Layout
    interface_of: AgentInterface


def install(app: web.Application, deps: CasesDeps) -> CaseService:
    """Build the service, keep it under ``app[CASES]``, add the API and the FastAGI step of
    case status by phone (its spoken answers go to ``<prompts>/status/<call id>.wav``)."""
    service = CaseService(deps.store)
    app[CASES] = service
    app.add_routes(views.routes(service, deps.interface_of))
    layout = deps.layout

    async def speak(call_id: str, text: str) -> str:
        name = "".join(c for c in call_id if c.isascii() and (c.isalnum() or c in ".-_"))
        host_dir = layout.host(f"{layout.prompts}/status")
        await asyncio.to_thread(prompts.spoken_file, text, host_dir, name or "call")
        return f"{layout.prompts}/status/{name or 'call'}"

    deps.agi.add_script(
        "case-status", case_status_script(PhoneStatus(deps.store), speak), timeout=15.0
    )
    return service
