"""The knowledge base over HTTP: search, articles, uses per call, edits, and ``/baza-wiedzy``."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from cic.auth.roles import current_user, require
from cic.auth.templates import html, render
from cic.http.endpoint import documented
from cic.http.json_api import BadJson, json_object, whole_number
from cic.kb.for_call import EarlierCalls, suggestions_for_call
from cic.kb.service import KbService

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
SIGNED_IN = ("agent", "specialist", "supervisor")
EDITORS = ("supervisor",)  # admin may always
MAX_QUERY = 200
MAX_BODY = 100_000


def _bad(error: str, message: str) -> web.Response:
    return web.json_response({"error": error, "message": message}, status=400)


async def _json_object(request: web.Request) -> dict[str, Any] | BadJson:
    try:
        return await json_object(request, max_bytes=MAX_BODY)
    except BadJson as exc:
        return exc


def _limit(request: web.Request, default: int) -> int | None:
    return whole_number(request.query.get("limit", str(default)), 1, 50)


def routes(service: KbService) -> list[web.RouteDef]:
    """The routes of the knowledge base (API and page)."""

    @documented("Baza wiedzy: wyszukiwanie i artykuły (strona HTML)", errors=(401, 403))
    @require(*SIGNED_IN)
    async def page(request: web.Request) -> web.StreamResponse:
        user = current_user(request)
        can_edit = user is not None and user.role in ("supervisor", "admin")
        return html(render(request, "kb.html", can_edit=can_edit, count=len(service.index)))

    @require(*SIGNED_IN)
    async def search(request: web.Request) -> web.StreamResponse:
        query = request.query.get("q", "").strip()
        limit = _limit(request, 10)
        if len(query) > MAX_QUERY or limit is None:
            return _bad("invalid_query", "Parametr q (do 200 znaków) lub limit (1–50) jest błędny.")
        results = service.search(query, limit)
        return web.json_response({"query": query, "ready": service.ready, "results": results})

    @require(*SIGNED_IN)
    async def suggest(request: web.Request) -> web.StreamResponse:
        topics = [t for t in request.query.get("topics", "").split(",") if t]
        department = request.query.get("department") or None
        limit = _limit(request, 5)
        if limit is None:
            return _bad("invalid_query", "Parametr limit (1–50) jest błędny.")
        return web.json_response(service.suggest(topics, department, limit))

    @require(*SIGNED_IN)
    async def article(request: web.Request) -> web.StreamResponse:
        return web.json_response(await service.get(request.match_info["slug"]))

    @require(*SIGNED_IN)
    async def use(request: web.Request) -> web.StreamResponse:
        body = await _json_object(request) if request.can_read_body else {}
        if isinstance(body, BadJson):
            return _bad(body.error_id, body.message)
        call_id = body.get("call_id")
        if call_id is not None and not (isinstance(call_id, str) and 0 < len(call_id) <= 128):
            return _bad("bad_use", "call_id to identyfikator rozmowy (tekst).")
        user = current_user(request)
        username = user.username if user else ""
        result = await service.use(request.match_info["slug"], call_id, username)
        return web.json_response(result, status=201 if result["counted"] else 200)

    @require(*EDITORS)
    async def edit(request: web.Request) -> web.StreamResponse:
        if (request.content_length or 0) > MAX_BODY:
            return _bad("too_large", "Artykuł jest za długi.")
        body = await _json_object(request)
        if isinstance(body, BadJson):
            return _bad(body.error_id, body.message)
        user = current_user(request)
        author = user.username if user else ""
        saved = await service.update(request.match_info["slug"], body, author)
        return web.json_response(saved)

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
    get_call: Callable[[str], Awaitable[dict[str, Any] | None]],
    earlier: EarlierCalls,
) -> list[web.RouteDef]:
    """``GET /api/kb/for-call/{call_id}?note=``: articles for a call in hand, with why."""

    @documented(
        "Artykuły bazy wiedzy do rozmowy w toku, każdy z powodem podpowiedzi",
        query={"note": {"type": "string", "maxLength": 2000}},
        errors=(400, 401, 403, 404),
    )
    @require(*SIGNED_IN)
    async def for_call(request: web.Request) -> web.StreamResponse:
        call_id = request.match_info["call_id"]
        note = request.query.get("note", "")
        if len(call_id) > 128 or len(note) > 2000:
            return _bad("invalid_query", "Za długi identyfikator rozmowy lub notatka.")
        call = await get_call(call_id)
        if call is None:
            return web.json_response(
                {"error": "call_not_found", "message": "Nie ma takiej rozmowy."}, status=404
            )
        found = await suggestions_for_call(service, call, earlier, note=note)
        return web.json_response({"call_id": call_id, "ready": service.ready, "articles": found})

    return [web.get("/api/kb/for-call/{call_id}", for_call)]
