"""JSON API of callback requests (supervisor).

GET  /api/callbacks?status=failed        requests, newest first (status optional)
POST /api/callbacks/{id}/retry           put a failed request back into its queue, in front
POST /api/callbacks/{id}/close           mark it dealt with (e.g. called back by hand)
"""

from __future__ import annotations

from typing import Annotated

from aiohttp import web
from pydantic import AfterValidator, Field

from cic.auth.roles import current_user, require
from cic.callbacks.errors import BadStatus, CallbackError
from cic.callbacks.models import STATUSES
from cic.callbacks.schemas import CallbackOut
from cic.callbacks.service import CallbackService
from cic.http.endpoint import documented
from cic.http.json_api import path_id
from cic.http.schemas import Query, read_query


def _known(status: str) -> str:
    if status and status not in STATUSES:
        raise ValueError(f"jeden z {', '.join(STATUSES)}")
    return status


class Listing(Query):
    """Only the requests in this status (all when empty)."""

    status: Annotated[str, AfterValidator(_known)] = Field(
        "", title="Status", json_schema_extra={"enum": ["", *STATUSES]}
    )


def routes(service: CallbackService) -> list[web.RouteDef]:
    """The routes of the callbacks API."""

    @documented(
        "Prośby o oddzwonienie, najnowsze pierwsze",
        query=Listing,
        returns=list[CallbackOut],
        errors=(400, 401, 403, 503),
    )
    @require("supervisor")
    async def listing(request: web.Request) -> web.StreamResponse:
        status = read_query(request, Listing, BadStatus).status or None
        return web.json_response([c.to_json() for c in await service.requests(status)])

    @documented(
        "Ponowienie prośby o oddzwonienie (na początek kolejki) albo jej zamknięcie",
        returns=CallbackOut,
        errors=(400, 401, 403, 404, 409, 503),
    )
    @require("supervisor")
    async def act(request: web.Request) -> web.StreamResponse:
        user = current_user(request)
        actor = user.username if user else ""
        request_id = path_id(request, "id", CallbackError)
        if request.match_info["action"] == "retry":
            callback = await service.retry_now(request_id, actor)
        else:
            callback = await service.close(request_id, actor)
        return web.json_response(callback.to_json())

    return [
        web.get("/api/callbacks", listing),
        web.post(r"/api/callbacks/{id:\d{1,12}}/{action:retry|close}", act),
    ]
