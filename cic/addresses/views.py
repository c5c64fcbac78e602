"""Address suggestions and the geocoder over HTTP.

GET /api/adresy?q=             suggestions while typing (staff)
GET /api/adresy/punkt?adres=   the point of a whole address (staff; 404 when unknown)
GET /e-urzad/adresy?q=         suggestions for the portal's report form (public, limited)
"""

from __future__ import annotations

from aiohttp import web

from cic.addresses.errors import AddressError, AddressesThrottled, UnknownAddress
from cic.addresses.schemas import LocateQuery, PointOut, SuggestionsOut, SuggestQuery
from cic.addresses.service import AddressBook
from cic.auth.roles import require
from cic.channels.ratelimit import HourlyLimit
from cic.http.endpoint import documented
from cic.http.schemas import read_query

STAFF = ("agent", "specialist", "supervisor")


def routes(book: AddressBook, limit: HourlyLimit) -> list[web.RouteDef]:
    """The staff and the public routes."""

    @documented("Podpowiedzi adresów z ewidencji gminy (miejscowość, ulica, numer)",
                query=SuggestQuery, returns=SuggestionsOut, errors=(400, 401, 403))  # fmt: skip
    @require(*STAFF)
    async def suggest(request: web.Request) -> web.StreamResponse:
        query = read_query(request, SuggestQuery, AddressError)
        found = await book.suggest(query.q, query.limit)
        return web.json_response({"items": [p.as_dict() for p in found]})

    @documented("Punkt na mapie dla wpisanego adresu (geokodowanie)", query=LocateQuery,
                returns=PointOut, errors=(400, 401, 403, 404))  # fmt: skip
    @require(*STAFF)
    async def locate(request: web.Request) -> web.StreamResponse:
        query = read_query(request, LocateQuery, AddressError)
        point = await book.locate(query.adres)
        if point is None:
            raise UnknownAddress()
        return web.json_response(point.as_dict())

    @documented("Podpowiedzi adresów dla formularza zgłoszenia na portalu (limit zapytań)",
                query=SuggestQuery, returns=SuggestionsOut, errors=(400, 429))  # fmt: skip
    async def public_suggest(request: web.Request) -> web.StreamResponse:
        query = read_query(request, SuggestQuery, AddressError)
        verdict = limit.take(f"ip:{request.remote or '?'}")
        if verdict.wait:
            raise AddressesThrottled()
        found = await book.suggest(query.q, min(query.limit, 10))
        return web.json_response({"items": [p.as_dict() for p in found]})

    return [
        web.get("/api/adresy", suggest),
        web.get("/api/adresy/punkt", locate),
        web.get("/e-urzad/adresy", public_suggest),
    ]
