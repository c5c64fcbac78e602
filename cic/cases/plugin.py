"""Adds the case register to the application: ``install(app, deps)`` in ``create_app``.

The tables come with the migrations the store's cleanup context runs; nothing starts here.
``install`` returns the service and the ONE ``StatusChecks`` that case status by phone uses,
which the portal's case-status page takes too (``cic.portal.plugin.install_case_status``):
wrong PINs add up across both.
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
from cic.cases.status import StatusChecks
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


@dataclass(frozen=True)
class Cases:
    """What ``install`` built: the case service and the PIN checks of case status."""

    service: CaseService
    status: StatusChecks


def install(app: web.Application, deps: CasesDeps) -> Cases:
    """Build the service, keep it under ``app[CASES]``, add the API and the FastAGI step of
    case status by phone (its spoken answers go to ``<prompts>/status/<call id>.wav``)."""
    service = CaseService(deps.store)
    status = StatusChecks(deps.store)
    app[CASES] = service
    app.add_routes(views.routes(service, deps.interface_of))
    layout = deps.layout

    async def speak(call_id: str, text: str) -> str:
        name = "".join(c for c in call_id if c.isascii() and (c.isalnum() or c in ".-_"))
        host_dir = layout.host(f"{layout.prompts}/status")
        await asyncio.to_thread(prompts.spoken_file, text, host_dir, name or "call")
        return f"{layout.prompts}/status/{name or 'call'}"

    deps.agi.add_script("case-status", case_status_script(PhoneStatus(status), speak), timeout=15.0)
    return Cases(service, status)
