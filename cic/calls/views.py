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

from aiohttp import web
from pydantic import Field

from cic.auth.roles import require
from cic.calls.errors import CallNotFound, InvalidQuery
from cic.calls.schemas import CallDetail, CallSummary
from cic.calls.service import MAX_LIMIT, CallService
from cic.http.endpoint import documented
from cic.http.schemas import Digits, IsoDateTime, Query, read_query

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_dumps = partial(json.dumps, ensure_ascii=False)


class CallsQuery(Query):
    """A page of calls, newest first, optionally only those since a moment."""

    limit: Digits = Field(50, ge=1, le=MAX_LIMIT, title="Parametr limit")
    offset: Digits = Field(0, ge=0, le=10**9, title="Parametr offset")
    since: IsoDateTime = Field("", title="Parametr since")

    def since_time(self) -> datetime | None:
        """``since`` as a time (None when not given)."""
        return datetime.fromisoformat(self.since) if self.since else None


def routes(service: CallService) -> list[web.RouteDef]:
    """The calls API routes, bound to ``service``."""

    @documented(
        "Rozmowy, najnowsze pierwsze",
        query=CallsQuery,
        returns=list[CallSummary],
        errors=(400, 401, 403, 503),
    )
    @require("supervisor")
    async def list_calls(request: web.Request) -> web.StreamResponse:
        query = read_query(request, CallsQuery, InvalidQuery)
        calls = await service.list_calls(
            limit=query.limit, offset=query.offset, since=query.since_time()
        )
        return web.json_response(calls, dumps=_dumps)

    @documented(
        "Jedna rozmowa z przebiegiem i nagraniami", returns=CallDetail, errors=(401, 403, 404, 503)
    )
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
