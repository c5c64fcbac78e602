"""Residents over HTTP (JSON):

GET    /api/residents?q=...                        search by name, number or e-mail address
POST   /api/residents                              {name, note?, numbers?, emails?, pesel?} -> 201
GET    /api/residents/lookup?number=...|email=...  the resident with this number or address
POST   /api/mieszkancy/szukaj                      {q}: search by name, number, address or PESEL
GET    /api/residents/{id}                         one resident with their numbers
PATCH  /api/residents/{id}                         {name?, note?}
POST   /api/residents/{id}/numbers                 {number, label?}
DELETE /api/residents/{id}/numbers/{number}
POST   /api/residents/{id}/emails                  {address}
DELETE /api/residents/{id}/emails/{address}
PUT    /api/residents/{id}/pesel                   {pesel}: kept only as a keyed digest
DELETE /api/residents/{id}/pesel
POST   /api/residents/{id}/merge                   {other: id} (supervisor): fold a duplicate
GET    /api/residents/{id}/history                 calls from every number, other contacts
"""

from __future__ import annotations

from aiohttp import web

from cic.auth.roles import current_user, require
from cic.http.endpoint import documented
from cic.http.schemas import read_body, read_query
from cic.residents.errors import InvalidResident, ResidentNotFound
from cic.residents.schemas import (
    EmailIn,
    Lookup,
    Merge,
    NewResident,
    NumberIn,
    PeselIn,
    ResidentChanges,
    ResidentHistory,
    ResidentOut,
    Search,
    SearchIn,
)
from cic.residents.service import ResidentService

STAFF = ("agent", "specialist", "supervisor")


def _id(request: web.Request, key: str = "id") -> int:
    raw = request.match_info[key]
    if not raw.isascii() or not raw.isdigit() or len(raw) > 12:
        raise ResidentNotFound()
    return int(raw)


def _actor(request: web.Request) -> str:
    user = current_user(request)
    return user.username if user else ""


def routes(service: ResidentService) -> list[web.RouteDef]:
    """The residents API."""

    @documented(
        "Mieszkańcy według nazwiska, numeru telefonu lub adresu e-mail (do 20)",
        query=Search,
        returns=list[ResidentOut],
        errors=(400, 401, 403, 503),
    )
    @require(*STAFF)
    async def search(request: web.Request) -> web.StreamResponse:
        query = read_query(request, Search, InvalidResident)
        return web.json_response(await service.search(query.q))

    @documented(
        "Nowy mieszkaniec w kartotece",
        body=NewResident,
        returns=ResidentOut,
        status=201,
        errors=(400, 401, 403, 409, 503),
    )
    @require(*STAFF)
    async def create(request: web.Request) -> web.StreamResponse:
        new = await read_body(request, NewResident, InvalidResident)
        made = await service.create(new, _actor(request))
        return web.json_response(made, status=201)

    @documented(
        "Mieszkańcy według nazwiska, numeru telefonu, adresu e-mail lub numeru PESEL (do 20)",
        description="Zapytanie w treści żądania, nie w adresie: PESEL nie trafia do adresów"
        " stron, historii przeglądarki ani dzienników.",
        body=SearchIn,
        returns=list[ResidentOut],
        errors=(400, 401, 403, 503),
    )
    @require(*STAFF)
    async def search_any(request: web.Request) -> web.StreamResponse:
        query = (await read_body(request, SearchIn, InvalidResident)).q
        return web.json_response(await service.search(query, pesel=True))

    @documented(
        "Mieszkaniec o podanym numerze telefonu lub adresie e-mail",
        query=Lookup,
        returns=ResidentOut,
        errors=(400, 401, 403, 404, 503),
    )
    @require(*STAFF)
    async def lookup(request: web.Request) -> web.StreamResponse:
        given = read_query(request, Lookup, InvalidResident)
        if given.email:
            found = await service.lookup_email(given.email)
        else:
            found = await service.lookup(given.number[:40])
        if found is None:
            what = "tym adresem e-mail" if given.email else "tym numerem"
            raise ResidentNotFound(f"Nie znamy mieszkańca z {what}.")
        return web.json_response(found)

    @documented("Jeden mieszkaniec z numerami", returns=ResidentOut, errors=(401, 403, 404, 503))
    @require(*STAFF)
    async def get(request: web.Request) -> web.StreamResponse:
        return web.json_response(await service.get(_id(request)))

    @documented(
        "Zmiana imienia i nazwiska lub notatki mieszkańca",
        body=ResidentChanges,
        returns=ResidentOut,
        errors=(400, 401, 403, 404, 503),
    )
    @require(*STAFF)
    async def update(request: web.Request) -> web.StreamResponse:
        body = await read_body(request, ResidentChanges, InvalidResident)
        return web.json_response(await service.update(_id(request), body, _actor(request)))

    @documented(
        "Nowy numer telefonu mieszkańca (lub nowy opis numeru)",
        body=NumberIn,
        returns=ResidentOut,
        status=201,
        errors=(400, 401, 403, 404, 409, 503),
    )
    @require(*STAFF)
    async def add_number(request: web.Request) -> web.StreamResponse:
        given = await read_body(request, NumberIn, InvalidResident)
        out = await service.add_number(_id(request), given, _actor(request))
        return web.json_response(out, status=201)

    @documented(
        "Usunięcie numeru telefonu mieszkańca",
        returns=ResidentOut,
        errors=(400, 401, 403, 404, 503),
    )
    @require(*STAFF)
    async def remove_number(request: web.Request) -> web.StreamResponse:
        number = request.match_info["number"]
        return web.json_response(await service.remove_number(_id(request), number, _actor(request)))

    @documented(
        "Nowy adres e-mail mieszkańca",
        body=EmailIn,
        returns=ResidentOut,
        status=201,
        errors=(400, 401, 403, 404, 409, 503),
    )
    @require(*STAFF)
    async def add_email(request: web.Request) -> web.StreamResponse:
        address = (await read_body(request, EmailIn, InvalidResident)).address
        out = await service.add_email(_id(request), address, _actor(request))
        return web.json_response(out, status=201)

    @documented(
        "Usunięcie adresu e-mail mieszkańca",
        returns=ResidentOut,
        errors=(400, 401, 403, 404, 503),
    )
    @require(*STAFF)
    async def remove_email(request: web.Request) -> web.StreamResponse:
        address = request.match_info["address"]
        return web.json_response(await service.remove_email(_id(request), address, _actor(request)))

    @documented(
        "Numer PESEL mieszkańca (zapisywany tylko jako skrót z kluczem, nigdy zwracany)",
        body=PeselIn,
        returns=ResidentOut,
        errors=(400, 401, 403, 404, 409, 503),
    )
    @require(*STAFF)
    async def set_pesel(request: web.Request) -> web.StreamResponse:
        pesel = (await read_body(request, PeselIn, InvalidResident)).pesel
        return web.json_response(await service.set_pesel(_id(request), pesel, _actor(request)))

    @documented(
        "Usunięcie numeru PESEL z kartoteki mieszkańca",
        returns=ResidentOut,
        errors=(401, 403, 404, 503),
    )
    @require(*STAFF)
    async def clear_pesel(request: web.Request) -> web.StreamResponse:
        return web.json_response(await service.clear_pesel(_id(request), _actor(request)))

    @documented(
        "Dołączenie duplikatu do kartoteki mieszkańca (numery, adresy, PESEL i notatka"
        " przechodzą; dwa różne numery PESEL: 409)",
        body=Merge,
        returns=ResidentOut,
        errors=(400, 401, 403, 404, 409, 503),
    )
    @require("supervisor")
    async def merge(request: web.Request) -> web.StreamResponse:
        other = (await read_body(request, Merge, InvalidResident)).other
        return web.json_response(await service.merge(_id(request), other, _actor(request)))

    @documented(
        "Historia kontaktów mieszkańca: rozmowy ze wszystkich numerów, zgłoszenia, sprawy",
        returns=ResidentHistory,
        errors=(401, 403, 404, 503),
    )
    @require(*STAFF)
    async def history(request: web.Request) -> web.StreamResponse:
        user = current_user(request)
        username, role = (user.username, user.role) if user else ("", "")
        found = await service.history(_id(request), username=username, role=role)
        return web.json_response(found)

    return [
        web.get("/api/residents", search),
        web.post("/api/residents", create),
        web.post("/api/mieszkancy/szukaj", search_any),
        web.get("/api/residents/lookup", lookup),
        web.get("/api/residents/{id}", get),
        web.patch("/api/residents/{id}", update),
        web.post("/api/residents/{id}/numbers", add_number),
        web.delete("/api/residents/{id}/numbers/{number}", remove_number),
        web.post("/api/residents/{id}/emails", add_email),
        web.delete("/api/residents/{id}/emails/{address}", remove_email),
        web.put("/api/residents/{id}/pesel", set_pesel),
        web.delete("/api/residents/{id}/pesel", clear_pesel),
        web.post("/api/residents/{id}/merge", merge),
        web.get("/api/residents/{id}/history", history),
    ]
