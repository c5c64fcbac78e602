"""The knowledge base over HTTP: search, articles, uses per call, edits, and ``/baza-wiedzy``."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from aiohttp import web

from cic.auth.roles import current_user, require
from cic.auth.templates import html, render
from cic.http.endpoint import documented
from cic.http.json_api import BadJson
from cic.http.schemas import read_body, read_query
from cic.kb.errors import BadUse, CallNotFound, InvalidArticle, InvalidKbQuery, TooLarge
from cic.kb.for_call import EarlierCalls, suggestions_for_call
from cic.kb.schemas import (
    ArticleEdit,
    ForCallOut,
    ForCallQuery,
    KbArticle,
    KbHit,
    SearchOut,
    SearchQuery,
    SuggestQuery,
    UseIn,
    UseOut,
    VersionOut,
)
from cic.kb.service import KbService

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
SIGNED_IN = ("agent", "specialist", "supervisor")
EDITORS = ("supervisor",)  # admin may always
MAX_BODY = 100_000


def routes(service: KbService) -> list[web.RouteDef]:
    """The routes of the knowledge base (API and page)."""

    @documented("Baza wiedzy: wyszukiwanie i artykuły (strona HTML)", errors=(401, 403))
    @require(*SIGNED_IN)
    async def page(request: web.Request) -> web.StreamResponse:
        user = current_user(request)
        can_edit = user is not None and user.role in ("supervisor", "admin")
        return html(render(request, "kb.html", can_edit=can_edit, count=len(service.index)))

    @documented(
        "Wyszukiwanie artykułów (lematy, literówki, ranking BM25F)",
        query=SearchQuery,
        returns=SearchOut,
        errors=(400, 401, 403),
    )
    @require(*SIGNED_IN)
    async def search(request: web.Request) -> web.StreamResponse:
        query = read_query(request, SearchQuery, InvalidKbQuery)
        results = service.search(query.q, query.limit)
        return web.json_response({"query": query.q, "ready": service.ready, "results": results})

    @documented(
        "Artykuły dla konsoli według tematów i komórki",
        query=SuggestQuery,
        returns=list[KbHit],
        errors=(400, 401, 403),
    )
    @require(*SIGNED_IN)
    async def suggest(request: web.Request) -> web.StreamResponse:
        query = read_query(request, SuggestQuery, InvalidKbQuery)
        found = service.suggest(query.topic_list(), query.department or None, query.limit)
        return web.json_response(found)

    @documented("Bieżąca wersja artykułu", returns=KbArticle, errors=(401, 403, 404, 503))
    @require(*SIGNED_IN)
    async def article(request: web.Request) -> web.StreamResponse:
        return web.json_response(await service.get(request.match_info["slug"]))

    @documented(
        "Użycie artykułu w rozmowie (raz na rozmowę i użytkownika)",
        body=UseIn,
        returns=UseOut,
        status=201,
        also={200: "Już policzone w tej rozmowie"},
        errors=(400, 401, 403, 404, 503),
    )
    @require(*SIGNED_IN)
    async def use(request: web.Request) -> web.StreamResponse:
        body = (
            await read_body(request, UseIn, BadJson, MAX_BODY, invalid=BadUse)
            if request.can_read_body
            else UseIn()
        )
        user = current_user(request)
        username = user.username if user else ""
        result = await service.use(request.match_info["slug"], body.call_id, username)
        return web.json_response(result, status=201 if result["counted"] else 200)

    @documented(
        "Nowa wersja artykułu (kierownik zmiany, administrator)",
        body=ArticleEdit,
        returns=KbArticle,
        errors=(400, 401, 403, 404, 409, 503),
    )
    @require(*EDITORS)
    async def edit(request: web.Request) -> web.StreamResponse:
        if (request.content_length or 0) > MAX_BODY:
            raise TooLarge("Artykuł jest za długi.")
        changes = await read_body(request, ArticleEdit, BadJson, MAX_BODY, invalid=InvalidArticle)
        user = current_user(request)
        author = user.username if user else ""
        saved = await service.update(request.match_info["slug"], changes.given(), author)
        return web.json_response(saved)

    @documented(
        "Wszystkie wersje artykułu, najnowsza pierwsza",
        returns=list[VersionOut],
        errors=(401, 403, 404, 503),
    )
    @require(*SIGNED_IN)
    async def versions(request: web.Request) -> web.StreamResponse:
        return web.json_response(await service.versions(request.match_info["slug"]))

    return [
        web.get("/baza-wiedzy", page),
        web.get("/api/kb/search", search),
        web.get("/api/kb/suggest", suggest),
        web.get("/api/kb/articles/{slug}", article),
        web.put("/api/kb/articles/{slug}", edit),
        web.post("/api/kb/articles/{slug}/use", use),
        web.get("/api/kb/articles/{slug}/versions", versions),
    ]


def call_routes(
    service: KbService,
    get_call: Callable[[str], Awaitable[Mapping[str, Any] | None]],
    earlier: EarlierCalls,
) -> list[web.RouteDef]:
    """``GET /api/kb/for-call/{call_id}?note=``: articles for a call in hand, with why."""

    @documented(
        "Artykuły bazy wiedzy do rozmowy w toku, każdy z powodem podpowiedzi",
        query=ForCallQuery,
        returns=ForCallOut,
        errors=(400, 401, 403, 404),
    )
    @require(*SIGNED_IN)
    async def for_call(request: web.Request) -> web.StreamResponse:
        call_id = request.match_info["call_id"]
        note = read_query(request, ForCallQuery, InvalidKbQuery).note
        if len(call_id) > 128:
            raise InvalidKbQuery("Za długi identyfikator rozmowy.")
        call = await get_call(call_id)
        if call is None:
            raise CallNotFound("Nie ma takiej rozmowy.")
        found = await suggestions_for_call(service, call, earlier, note=note)
        return web.json_response({"call_id": call_id, "ready": service.ready, "articles": found})

    return [web.get("/api/kb/for-call/{call_id}", for_call)]
