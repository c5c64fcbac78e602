"""The front desk over HTTP: the page ``/recepcja`` and its API.

GET  /recepcja                 the desk page (find or add the resident, the matter, Enter)
GET  /api/wizyty?dzien=...     the day's visits (agents: the ones they recorded)
POST /api/wizyty               record a visit -> 201
GET  /api/wizyty/sprawy        the office's common matters and departments
"""

from __future__ import annotations

from datetime import date

from aiohttp import web

from cic.auth.actor import AgentInterface, actor_of
from cic.auth.roles import require
from cic.auth.templates import html, render
from cic.channels.desk_errors import InvalidVisit
from cic.channels.visit_schemas import MattersOut, VisitIn, VisitOut, VisitsQuery
from cic.channels.visits import VisitService
from cic.http.endpoint import documented
from cic.http.schemas import read_body, read_query

STAFF = ("agent", "specialist", "supervisor")
MAX_BODY = 64 * 1024


def routes(service: VisitService, interface_of: AgentInterface | None = None) -> list[web.RouteDef]:
    """The desk's page and API."""

    @documented("Recepcja: wizyty osobiste (strona HTML)", errors=(401, 403))
    @require(*STAFF)
    async def page(request: web.Request) -> web.StreamResponse:
        matters = service.matters()
        return html(render(request, "desk.html", today=service.today().isoformat(), **matters))

    @documented(
        "Wizyty osobiste jednego dnia, najnowsze pierwsze (konsultant: przyjęte przez siebie)",
        query=VisitsQuery,
        returns=list[VisitOut],
        errors=(400, 401, 403, 503),
    )
    @require(*STAFF)
    async def listing(request: web.Request) -> web.StreamResponse:
        raw = read_query(request, VisitsQuery, InvalidVisit).dzien
        day = date.fromisoformat(raw) if raw else None
        return web.json_response(await service.day(day, await actor_of(request, interface_of)))

    @documented(
        "Nowa wizyta osobista (zgłoszenie kanału „osobiście”)",
        description="Załatwiona na miejscu (handled): zgłoszenie zamknięte, bez terminu"
        " odpowiedzi. Niezałatwiona: przekazana do komórki (department) albo nowa, z terminem"
        " odpowiedzi w dniach roboczych. Nowy mieszkaniec (resident) trafia do kartoteki.",
        body=VisitIn,
        returns=VisitOut,
        status=201,
        errors=(400, 401, 403, 404, 409, 503),
    )
    @require(*STAFF)
    async def record(request: web.Request) -> web.StreamResponse:
        visit = await read_body(request, VisitIn, InvalidVisit, MAX_BODY)
        made = await service.record(visit, await actor_of(request, interface_of))
        return web.json_response(made, status=201)

    @documented(
        "Typowe sprawy urzędu i komórki (do wyboru przy wizycie)",
        returns=MattersOut,
        errors=(401, 403),
    )
    @require(*STAFF)
    async def matters(request: web.Request) -> web.StreamResponse:
        return web.json_response(service.matters())

    return [
        web.get("/recepcja", page),
        web.get("/api/wizyty", listing),
        web.post("/api/wizyty", record),
        web.get("/api/wizyty/sprawy", matters),
    ]
