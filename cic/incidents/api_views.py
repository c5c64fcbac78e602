"""The incident register's JSON API (staff: agent, specialist, supervisor, admin; the
catalogue is changed by supervisor and admin).

GET   /api/zagrozenia                       incidents (filters: kategoria, stan, od, do)
POST  /api/zagrozenia                       a new incident → 201 with possible duplicates
GET   /api/zagrozenia/{id}                  one incident with history and links
PATCH /api/zagrozenia/{id}                  status and/or priority (and a note)
POST  /api/zagrozenia/{id}/polacz           merge this duplicate into ``into``
POST  /api/zagrozenia/{id}/powiazania       link a call or a contact report
GET   /api/zagrozenia/{id}/zdjecie          the photo
GET   /api/zagrozenia/kategorie             the threat catalogue
POST  /api/zagrozenia/kategorie             a new category (supervisor, admin)
PUT   /api/zagrozenia/kategorie/{id}        change a category (supervisor, admin)
GET   /api/mapa/warstwy                     the map's layers (see ``cic.incidents.layers``)
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from aiohttp import web

from cic.auth.roles import current_user, require
from cic.http.endpoint import documented
from cic.http.json_api import path_id
from cic.http.schemas import read_body, read_query
from cic.incidents.errors import IncidentError
from cic.incidents.layers import layers_of
from cic.incidents.schemas import (
    CategoryIn,
    CategoryOut,
    ChangeIn,
    CreatedOut,
    DuplicateOut,
    IncidentIn,
    IncidentOut,
    LayerOut,
    LinkIn,
    ListQuery,
    MergeIn,
    category_out,
    incident_out,
)
from cic.incidents.service import CATALOGUE_EDITORS, STAFF, Actor, Filters, IncidentService
from cic.incidents.workflow import OPEN, STATUSES

ITEM = r"/api/zagrozenia/{id:\d{1,10}}"


def actor_of(request: web.Request) -> Actor:
    """The signed-in user (or the API token) as the service's actor."""
    user = current_user(request)
    return Actor(user.username, user.role) if user else Actor("", "")


def _when(text: str, zone: str) -> datetime | None:
    if not text:
        return None
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=ZoneInfo(zone))


def filters_of(query: ListQuery, zone: str = "Europe/Warsaw") -> Filters:
    """The service's filters from the query string (``stan=otwarte``: the open statuses; a
    time without a zone is the office's local time, ``zone``)."""
    statuses: list[str] = []
    for part in (p.strip() for p in query.stan.split(",") if p.strip()):
        if part == "otwarte":
            statuses.extend(OPEN)
        elif part in STATUSES:
            statuses.append(part)
        else:
            raise IncidentError(f"Stan: dozwolone {', '.join(STATUSES)} albo otwarte.")
    categories = tuple(p.strip() for p in query.kategoria.split(",") if p.strip())
    return Filters(categories, tuple(statuses), _when(query.od, zone), _when(query.do, zone))


def routes(service: IncidentService, zone: str = "Europe/Warsaw") -> list[web.RouteDef]:
    """The API's routes; ``zone`` is the office's time zone (filters given without one)."""

    @documented("Zgłoszenia zagrożeń (lista i dane mapy)", query=ListQuery,
                returns=list[IncidentOut], errors=(400, 401, 403))  # fmt: skip
    @require(*STAFF)
    async def listing(request: web.Request) -> web.StreamResponse:
        filters = filters_of(read_query(request, ListQuery, IncidentError), zone)
        found = await service.listing(actor_of(request), filters)
        return web.json_response([incident_out(i) for i in found])

    @documented("Nowe zgłoszenie zagrożenia (z rozmowy albo przez personel)", body=IncidentIn,
                returns=CreatedOut, status=201, errors=(400, 401, 403, 404))  # fmt: skip
    @require(*STAFF)
    async def create(request: web.Request) -> web.StreamResponse:
        body = await read_body(request, IncidentIn, IncidentError)
        created = await service.create(actor_of(request), body.new())
        answer = CreatedOut(
            incident=incident_out(created.incident),
            duplicates=[DuplicateOut(incident=incident_out(i), distance_m=round(d, 1))
                        for i, d in created.duplicates],
        )  # fmt: skip
        return web.json_response(answer, status=201)

    @documented("Jedno zgłoszenie zagrożenia z historią i powiązaniami", returns=IncidentOut,
                errors=(400, 401, 403, 404))  # fmt: skip
    @require(*STAFF)
    async def one(request: web.Request) -> web.StreamResponse:
        incident_id = path_id(request, "id", IncidentError)
        return web.json_response(incident_out(await service.get(actor_of(request), incident_id)))

    @documented("Zmiana stanu lub priorytetu zgłoszenia zagrożenia", body=ChangeIn,
                returns=IncidentOut, errors=(400, 401, 403, 404, 409))  # fmt: skip
    @require(*STAFF)
    async def change(request: web.Request) -> web.StreamResponse:
        incident_id = path_id(request, "id", IncidentError)
        body = await read_body(request, ChangeIn, IncidentError)
        changed = await service.change(
            actor_of(request), incident_id, status=body.status, priority=body.priority,
            note=body.note,
        )  # fmt: skip
        return web.json_response(incident_out(changed))

    @documented("Połączenie duplikatu z głównym zgłoszeniem (powiązania i historia przeniesione)",
                body=MergeIn, returns=IncidentOut, errors=(400, 401, 403, 404, 409))  # fmt: skip
    @require(*STAFF)
    async def merge(request: web.Request) -> web.StreamResponse:
        incident_id = path_id(request, "id", IncidentError)
        body = await read_body(request, MergeIn, IncidentError)
        merged = await service.merge(actor_of(request), incident_id, body.into)
        return web.json_response(incident_out(merged))

    @documented("Powiązanie rozmowy albo zgłoszenia kontaktowego ze zgłoszeniem zagrożenia",
                body=LinkIn, returns=IncidentOut, errors=(400, 401, 403, 404))  # fmt: skip
    @require(*STAFF)
    async def link(request: web.Request) -> web.StreamResponse:
        incident_id = path_id(request, "id", IncidentError)
        body = await read_body(request, LinkIn, IncidentError)
        linked = await service.link(actor_of(request), incident_id, body.kind, body.ref)
        return web.json_response(incident_out(linked))

    @documented("Zdjęcie zgłoszenia zagrożenia (bez metadanych)", errors=(400, 401, 403, 404),
                media="image/jpeg")  # fmt: skip
    @require(*STAFF)
    async def photo(request: web.Request) -> web.StreamResponse:
        incident_id = path_id(request, "id", IncidentError)
        content, media_type = await service.photo(actor_of(request), incident_id)
        return web.Response(body=content, headers={
            "Content-Type": media_type, "X-Content-Type-Options": "nosniff",
            "Content-Disposition": f'inline; filename="zgloszenie-{incident_id}"',
        })  # fmt: skip

    @documented("Katalog zagrożeń (kategorie)", returns=list[CategoryOut], errors=(401, 403))
    @require(*STAFF)
    async def categories(request: web.Request) -> web.StreamResponse:
        every = request.query.get("wszystkie", "") in ("1", "tak")
        found = await service.categories(all_of_them=every)
        return web.json_response([category_out(c) for c in found])

    @documented("Nowa kategoria zagrożenia", body=CategoryIn, returns=CategoryOut, status=201,
                errors=(400, 401, 403))  # fmt: skip
    @require(*CATALOGUE_EDITORS)
    async def new_category(request: web.Request) -> web.StreamResponse:
        body = await read_body(request, CategoryIn, IncidentError)
        saved = await service.save_category(actor_of(request), body.draft())
        return web.json_response(category_out(saved), status=201)

    @documented("Zmiana kategorii zagrożenia", body=CategoryIn, returns=CategoryOut,
                errors=(400, 401, 403, 404))  # fmt: skip
    @require(*CATALOGUE_EDITORS)
    async def change_category(request: web.Request) -> web.StreamResponse:
        category_id = path_id(request, "id", IncidentError)
        body = await read_body(request, CategoryIn, IncidentError)
        saved = await service.save_category(actor_of(request), body.draft(), category_id)
        return web.json_response(category_out(saved))

    @documented("Warstwy mapy bezpieczeństwa (skąd strona wczytuje punkty)",
                returns=list[LayerOut], errors=(401, 403))  # fmt: skip
    @require(*STAFF)
    async def layers(request: web.Request) -> web.StreamResponse:
        found = layers_of(request.app)
        return web.json_response([LayerOut(id=x.id, name=x.name, url=x.url) for x in found])

    return [
        web.get("/api/zagrozenia", listing),
        web.post("/api/zagrozenia", create),
        web.get("/api/zagrozenia/kategorie", categories),
        web.post("/api/zagrozenia/kategorie", new_category),
        web.put(r"/api/zagrozenia/kategorie/{id:\d{1,10}}", change_category),
        web.get(ITEM, one),
        web.patch(ITEM, change),
        web.post(ITEM + "/polacz", merge),
        web.post(ITEM + "/powiazania", link),
        web.get(ITEM + "/zdjecie", photo),
        web.get("/api/mapa/warstwy", layers),
    ]
