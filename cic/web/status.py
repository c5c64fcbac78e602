"""The minimal status page (Polish) and the JSON status endpoint.

The page shows no personal data of residents: counts, connection state and agents only.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiohttp import web
from pydantic import Field

from cic.auth.roles import current_user, require
from cic.auth.templates import html, render
from cic.backup.plugin import status_json as backup_status
from cic.calls.handlers import free_bytes
from cic.http.endpoint import documented
from cic.http.schemas import Digits, Query, read_query
from cic.latency import summary_ms
from cic.postcall.plugin import BACKLOG, WORKER_CHILD
from cic.recordings.plugin import root_for
from cic.web.first_steps import FirstSteps

if TYPE_CHECKING:
    from cic.web.app import Services

POLICY_PL = {
    "always": "zawsze (z informacją)",
    "opt-out": "za zgodą domyślną, klawisz wyłącza",
    "opt-in": "tylko na życzenie (klawisz 1)",
    "never": "wyłączone",
}


class StatusQuery(Query):
    """How many of the latest routing and loop-lag samples the figures are taken over."""

    last: Digits = Field(1000, ge=1, le=1000, title="Parametr last")


def status(services: Services, last: int = 1000) -> dict[str, Any]:
    """The controller's state as JSON; routing latency over the ``last`` decisions."""
    office = services.settings.office
    return {
        "office": office.name,
        "number": office.number,
        "extension": office.extension,
        "recording_policy": office.recording_policy,
        "ami": dataclasses.asdict(services.ami.stats),
        "database": services.database.as_dict(),
        "live_calls": len(services.tracker.live_call_ids()),
        "agents": [services.agents.presence(a.username) for a in services.agents.agents()],
        "agi_port": services.settings.asterisk.agi_port,
        "routing_latency_ms": summary_ms(services.agi.latencies()[-last:]),
        "routing_stages_ms": services.routing_stages.summary(),
        "agi_conversation_ms": services.agi.conversations.summary(),
        "loop_lag_ms": services.loop_lag.summary(),
        "recordings": {
            "failed_since_start": services.call_handler.failures,
            "last_failure": services.call_handler.last_failure,
            "disk_free_bytes": free_bytes(root_for(services.settings, services.layout)),
        },
        "process": process_figures(),
        "open_matters_index": services.owner_index.status() if services.owner_index else None,
        "office_mode": services.office_mode.as_dict(),
        "background_tasks": [state.as_dict() for state in services.supervisor.states()],
        "backup": backup_status(services.settings),
        "started_at": services.started_at.isoformat(),
    }


def process_figures() -> dict[str, int]:
    """The controller process's resident memory, open files, asyncio tasks and threads (what a
    soak watches for leaks)."""
    rss = 0
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1]) * 1024
    try:
        fds = len(os.listdir("/proc/self/fd"))
    except OSError:
        fds = -1
    return {"rss_bytes": rss, "open_fds": fds, "tasks": len(asyncio.all_tasks()),
            "threads": threading.active_count()}  # fmt: skip


def post_call(app: web.Application) -> dict[str, Any] | None:
    """The post-call backlog and the worker process, when the post-call jobs are installed."""
    watch, child = app.get(BACKLOG), app.get(WORKER_CHILD)
    if watch is None:
        return None
    out: dict[str, Any] = {"backlog": watch.as_dict()}
    if child is not None:
        out["worker_process"] = dataclasses.asdict(child.status)
    return out


def routes(services: Services) -> list[web.RouteDef]:
    """``/`` (HTML, with "Pierwsze kroki" for a first-time administrator), its dismissal,
    ``/healthz`` and ``/api/status``."""
    first_steps = FirstSteps(services.store)

    @documented("Stan centrali (strona HTML)")
    async def page(request: web.Request) -> web.StreamResponse:
        data = status(services)
        data["post_call"] = post_call(request.app)
        data["policy"] = POLICY_PL[data["recording_policy"]]
        data["first_steps"] = await first_steps.shown_to(current_user(request))
        return html(render(request, "status.html", **data))

    @documented(
        "Ukrycie „Pierwszych kroków” na stronie stanu (formularz administratora)",
        errors=(401, 403),
        also={303: "Ukryte: z powrotem na stronę stanu"},
    )
    @require("admin")
    async def dismiss_first_steps(request: web.Request) -> web.StreamResponse:
        await first_steps.dismiss(current_user(request), request.remote or "")
        raise web.HTTPSeeOther("/")

    @documented(
        "Kontrola działania: czy centrala (AMI) jest połączona",
        description='Bez logowania. 503 z {"ok": false}, gdy połączenia z AMI nie ma.',
        returns={"type": "object", "properties": {"ok": {"type": "boolean"}}},
    )
    async def healthz(_request: web.Request) -> web.StreamResponse:
        ok = services.ami.stats.connected
        return web.json_response({"ok": ok}, status=200 if ok else 503)

    @documented(
        "Stan centrali: połączenia, konsultanci, opóźnienia, zadania w tle",
        query=StatusQuery,
        errors=(400, 401),
    )
    async def api_status(request: web.Request) -> web.StreamResponse:
        last = read_query(request, StatusQuery).last
        return web.json_response({**status(services, last), "post_call": post_call(request.app)})

    return [
        web.get("/", page),
        web.post("/pierwsze-kroki/ukryj", dismiss_first_steps),
        web.get("/healthz", healthz),
        web.get("/api/status", api_status),
    ]
