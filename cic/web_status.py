"""The minimal status page (Polish) and the JSON status endpoint.

The page shows no personal data of residents: counts, connection state and agents only.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from aiohttp import web

from cic.auth.templates import html, render

if TYPE_CHECKING:
    from cic.app import Services

POLICY_PL = {
    "always": "zawsze (z informacją)",
    "opt-out": "za zgodą domyślną, klawisz wyłącza",
    "opt-in": "tylko na życzenie (klawisz 1)",
    "never": "wyłączone",
}


def latency_summary(seconds: list[float]) -> dict[str, float | int]:
    """Count, p50 and p99 of recent routing decisions, in milliseconds."""
    if not seconds:
        return {"n": 0}
    ordered = sorted(seconds)

    def pick(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 3)

    return {"n": len(ordered), "p50": pick(0.50), "p99": pick(0.99), "max": pick(1.0)}


def status(services: Services) -> dict[str, Any]:
    """The controller's state as JSON."""
    office = services.settings.office
    return {
        "office": office.name,
        "number": office.number,
        "extension": office.extension,
        "recording_policy": office.recording_policy,
        "ami": dataclasses.asdict(services.ami.stats),
        "live_calls": len(services.tracker.live_call_ids()),
        "agents": [services.agents.presence(a.username) for a in services.agents.agents()],
        "agi_port": services.settings.asterisk.agi_port,
        "routing_latency_ms": latency_summary(services.agi.latencies()),
        "office_mode": services.office_mode.as_dict(),
        "started_at": services.started_at.isoformat(),
    }


def routes(services: Services) -> list[web.RouteDef]:
    """``/`` (HTML), ``/healthz`` and ``/api/status``."""

    async def page(request: web.Request) -> web.StreamResponse:
        data = status(services)
        data["policy"] = POLICY_PL[data["recording_policy"]]
        return html(render(request, "status.html", **data))

    async def healthz(_request: web.Request) -> web.StreamResponse:
        ok = services.ami.stats.connected
        return web.json_response({"ok": ok}, status=200 if ok else 503)

    async def api_status(_request: web.Request) -> web.StreamResponse:
        return web.json_response(status(services))

    return [web.get("/", page), web.get("/healthz", healthz), web.get("/api/status", api_status)]
