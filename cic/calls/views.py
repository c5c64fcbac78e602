"""JSON views of call records.

GET /api/calls?limit=&offset=&since=   the newest calls first (``since``: ISO 8601 time)
GET /api/calls/{call_id}               one call with its timeline and recordings

Errors are JSON ``{"error": <stable id>, "message": <Polish text>}`` with the error's status.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import datetime
from functools import partial
from typing import Any

from aiohttp import web

from cic.auth.roles import require
from cic.calls.errors import CallNotFound, InvalidQuery
from cic.calls.service import MAX_LIMIT, CallService
from cic.http.endpoint import documented

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_dumps = partial(json.dumps, ensure_ascii=False)
CALLS_QUERY: dict[str, dict[str, Any]] = {
    "limit": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": 50},
    "offset": {"type": "integer", "minimum": 0, "maximum": 10**9, "default": 0},
    "since": {"type": "string", "format": "date-time"},
}


def _int_param(request: web.Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InvalidQuery(f"Parametr {name} musi być liczbą całkowitą.") from None
    if not low <= value <= high:
        raise InvalidQuery(f"Parametr {name} musi być liczbą od {low} do {high}.")
    return value


def _since_param(request: web.Request) -> datetime | None:
    raw = request.query.get("since")
    if not raw:
        return None
    try:
        return datetime.fromisoformat(raw)
    except ValueError:
        raise InvalidQuery("Parametr since musi być datą i godziną w formacie ISO 8601.") from None


def routes(service: CallService) -> list[web.RouteDef]:
    """The calls API routes, bound to ``service``."""

    @documented(
        "Rozmowy, najnowsze pierwsze",
        query=CALLS_QUERY,
        returns={"type": "array", "items": {"type": "object"}},
        errors=(400, 401, 403, 503),
    )
    @require("supervisor")
    async def list_calls(request: web.Request) -> web.StreamResponse:
        limit = _int_param(request, "limit", 50, 1, MAX_LIMIT)
        offset = _int_param(request, "offset", 0, 0, 10**9)
        calls = await service.list_calls(limit=limit, offset=offset, since=_since_param(request))
        return web.json_response(calls, dumps=_dumps)

    @documented("Jedna rozmowa z przebiegiem i nagraniami", errors=(401, 403, 404, 503))
    @require("supervisor")
    async def get_call(request: web.Request) -> web.StreamResponse:
        call_id = request.match_info["call_id"]
        call = await service.get_call(call_id)
        if call is None:
            raise CallNotFound(call_id)
        return web.json_response(call, dumps=_dumps)

    return [web.get("/api/calls", list_calls), web.get("/api/calls/{call_id}", get_call)]


def setup_routes(app: web.Application, service: CallService) -> None:
    """Add the calls API to ``app``."""
    app.add_routes(routes(service))
