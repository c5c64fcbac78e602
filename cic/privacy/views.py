"""Residents' rights over HTTP, for the data protection officer (``iod``; admin may always).

GET  /rodo                                          the page: find a resident, export, erasure
                                                    plan, and the register of processing
POST /rodo/szukaj           form ``q``              residents by name or number (on the page)
POST /rodo/eksport          form ``resident_id``    the archive (zip)
POST /rodo/usuniecie        form ``resident_id``, ``execute``  the plan, or its execution
GET  /api/privacy/register                          the register of processing (JSON)
POST /api/privacy/residents/{id}/export             the archive (zip)
POST /api/privacy/residents/{id}/rectification      ``{name?, note?, numbers?, parties?}``
POST /api/privacy/residents/{id}/erasure            ``{"execute": false}`` (default): the plan;
                                                    ``true``: carry it out (409 while blocked)

Searches and ids travel in POST bodies, never in URLs (no personal data in the access log).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from aiohttp import web

from cic.auth.roles import current_user, require
from cic.auth.templates import html, render
from cic.errors import CicError
from cic.http.endpoint import documented
from cic.http.json_api import form_fields
from cic.http.schemas import read_body
from cic.privacy.errors import InvalidRequest
from cic.privacy.schemas import Erasure, Rectification, Rectified
from cic.privacy.service import Official, PrivacyService
from cic.residents.errors import ResidentNotFound

OFFICERS = ("iod",)  # admin may always
CHUNK = 1 << 20
MAX_QUERY = 200
Search = Callable[[str], Awaitable[Sequence[Mapping[str, Any]]]]


def _official(request: web.Request) -> Official:
    user = current_user(request)
    return Official(user.username if user else "", request.remote or "")


def _id(raw: object) -> int:
    text = raw.strip() if isinstance(raw, str) else ""
    if not text.isascii() or not text.isdigit() or len(text) > 12 or int(text) < 1:
        raise ResidentNotFound("Podaj numer (id) mieszkańca z kartoteki.")
    return int(text)


async def send_archive(request: web.Request, path: Path, resident_id: int) -> web.StreamResponse:
    """Stream the archive at ``path``; the file is unlinked as soon as it is open, so it is gone
    from disk whatever happens to the download."""
    name = f"rodo-mieszkaniec-{resident_id}-{date.today().isoformat()}.zip"
    response = web.StreamResponse(
        headers={
            "Content-Type": "application/zip",
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        }
    )
    try:
        source = await asyncio.to_thread(path.open, "rb")
    finally:
        await asyncio.to_thread(path.unlink, True)
    try:
        response.content_length = os.fstat(source.fileno()).st_size
        await response.prepare(request)
        while chunk := await asyncio.to_thread(source.read, CHUNK):
            await response.write(chunk)
        await response.write_eof()
    finally:
        await asyncio.to_thread(source.close)
    return response


def routes(service: PrivacyService, search: Search) -> list[web.RouteDef]:
    """The page and API of the privacy domain."""

    def page(request: web.Request, status: int = 200, **context: Any) -> web.Response:
        context.setdefault("found", None)
        context.setdefault("plan", None)
        context.setdefault("error", "")
        context.setdefault("query", "")
        register = service.register()
        return html(render(request, "rodo.html", register=register, **context), status)

    @documented(
        "Strona inspektora ochrony danych: mieszkańcy, eksport, usunięcie (strona HTML)",
        errors=(403,),
    )
    @require(*OFFICERS)
    async def home(request: web.Request) -> web.StreamResponse:
        return page(request)

    @documented(
        "Wyszukiwanie mieszkańca na stronie RODO (formularz: q)",
        errors=(400, 401, 403, 503),
    )
    @require(*OFFICERS)
    async def find(request: web.Request) -> web.StreamResponse:
        try:
            query = (await form_fields(request, InvalidRequest)).get("q", "").strip()
        except CicError as exc:
            return page(request, exc.status, error=exc.message)
        if len(query) > MAX_QUERY:
            return page(request, 400, error="Zapytanie: najwyżej 200 znaków.", query=query[:200])
        return page(request, found=await search(query), query=query)

    @documented(
        "Archiwum ZIP z danymi mieszkańca (formularz: resident_id)",
        errors=(401, 403, 404, 413, 503),
        media="application/zip",
    )
    @require(*OFFICERS)
    async def export_form(request: web.Request) -> web.StreamResponse:
        try:
            resident_id = _id((await form_fields(request, InvalidRequest)).get("resident_id"))
            path, _ = await service.export_file(resident_id, _official(request))
        except CicError as exc:
            return page(request, exc.status, error=exc.message)
        return await send_archive(request, path, resident_id)

    @documented(
        "Plan usunięcia danych mieszkańca albo jego wykonanie (formularz: resident_id, execute)",
        errors=(400, 401, 403, 404, 409, 503),
    )
    @require(*OFFICERS)
    async def erasure_form(request: web.Request) -> web.StreamResponse:
        try:
            form = await form_fields(request, InvalidRequest)
            execute = form.get("execute") == "1"
            resident_id = _id(form.get("resident_id"))
            plan = await service.erasure(resident_id, _official(request), execute=execute)
        except CicError as exc:
            return page(request, exc.status, error=exc.message)
        return page(request, plan=plan)

    @documented("Rejestr czynności przetwarzania", returns={"type": "object"}, errors=(401, 403))
    @require(*OFFICERS)
    async def register(_request: web.Request) -> web.StreamResponse:
        return web.json_response(service.register())

    @documented(
        "Archiwum ZIP ze wszystkimi danymi mieszkańca (art. 15 RODO)",
        errors=(401, 403, 404, 413, 503),
        media="application/zip",
    )
    @require(*OFFICERS)
    async def export(request: web.Request) -> web.StreamResponse:
        resident_id = _id(request.match_info["id"])
        path, _ = await service.export_file(resident_id, _official(request))
        return await send_archive(request, path, resident_id)

    @documented(
        "Sprostowanie danych mieszkańca i jego wpisów jako strony spraw (art. 16 RODO)",
        body=Rectification,
        returns=Rectified,
        errors=(400, 401, 403, 404, 409, 503),
    )
    @require(*OFFICERS)
    async def rectify(request: web.Request) -> web.StreamResponse:
        resident_id = _id(request.match_info["id"])
        body = await read_body(request, Rectification, InvalidRequest)
        return web.json_response(await service.rectify(resident_id, body, _official(request)))

    @documented(
        "Plan usunięcia danych mieszkańca albo jego wykonanie (art. 17 RODO)",
        description="Bez ``execute`` tylko plan (nic się nie zmienia); 409, gdy wstrzymane.",
        body=Erasure,
        errors=(400, 401, 403, 404, 409, 503),
    )
    @require(*OFFICERS)
    async def erase(request: web.Request) -> web.StreamResponse:
        resident_id = _id(request.match_info["id"])
        execute = (await read_body(request, Erasure, InvalidRequest)).execute
        out = await service.erasure(resident_id, _official(request), execute=execute)
        return web.json_response(out)

    return [
        web.get("/rodo", home),
        web.post("/rodo/szukaj", find),
        web.post("/rodo/eksport", export_form),
        web.post("/rodo/usuniecie", erasure_form),
        web.get("/api/privacy/register", register),
        web.post("/api/privacy/residents/{id}/export", export),
        web.post("/api/privacy/residents/{id}/rectification", rectify),
        web.post("/api/privacy/residents/{id}/erasure", erase),
    ]
