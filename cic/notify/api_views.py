"""The supervisors' JSON API of notifications (role ``supervisor``; admin and the API token
may too).

GET  /api/powiadomienia                  the senders' state (a stopped SMS gateway, its reason)
GET  /api/powiadomienia/{batch}          summary, every recipient's result, the senders' state
POST /api/powiadomienia/{batch}/anuluj   cancel what is still queued
"""

from __future__ import annotations

from aiohttp import web

from cic.auth.actor import actor_of
from cic.auth.roles import require
from cic.http.endpoint import documented
from cic.notify.reports import NotifyReports
from cic.notify.schemas import BatchOut, CancelOut, SendersOut


def routes(reports: NotifyReports) -> list[web.RouteDef]:
    """The API's routes."""

    @documented("Stan nadawców powiadomień (SMS, e-mail, połączenia)", returns=SendersOut,
                errors=(401, 403))  # fmt: skip
    @require("supervisor")
    async def senders(request: web.Request) -> web.StreamResponse:
        actor = await actor_of(request)
        return web.json_response(reports.senders(actor))

    @documented("Wyniki partii powiadomień (podsumowanie i każdy odbiorca)",
                returns=BatchOut, errors=(400, 401, 403, 404))  # fmt: skip
    @require("supervisor")
    async def batch(request: web.Request) -> web.StreamResponse:
        actor = await actor_of(request)
        return web.json_response(await reports.batch(actor, request.match_info["batch"]))

    @documented("Anulowanie powiadomień partii, które czekają w kolejce", returns=CancelOut,
                errors=(400, 401, 403, 404))  # fmt: skip
    @require("supervisor")
    async def cancel(request: web.Request) -> web.StreamResponse:
        actor = await actor_of(request)
        return web.json_response(await reports.cancel(actor, request.match_info["batch"]))

    return [
        web.get("/api/powiadomienia", senders),
        web.get("/api/powiadomienia/{batch}", batch),
        web.post("/api/powiadomienia/{batch}/anuluj", cancel),
    ]
