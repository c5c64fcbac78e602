"""The call register over HTTP: pages for supervisors and the same data as JSON.

GET /polaczenia                       the register: filters, results, paging (HTML)
GET /polaczenia/{call_id}             one call: legs, timeline, recording, transcript, links
GET /api/rejestr/polaczenia           the register's page as JSON (same filters)
GET /api/rejestr/polaczenia/{call_id} one call as JSON

Filters (Polish names, as the form sends them): od, do (RRRR-MM-DD), numer, rozmowca,
konsultant, kolejka, wynik, temat, nagranie, przekazane, sprawa, tekst, strona. Who may read
is decided by :class:`cic.register.service.RegisterService`; a bad parameter is a 400
with a Polish message (on the page: the form again with the message).
"""

from __future__ import annotations

import json
from functools import partial
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from typing_extensions import TypedDict

from cic.auth.actor import actor_of
from cic.auth.roles import require
from cic.auth.templates import html, render
from cic.calls import labels
from cic.calls.errors import InvalidQuery
from cic.http.endpoint import documented
from cic.http.schemas import read_query
from cic.register.schemas import RegisterQuery
from cic.register.service import RegisterService

ROLES = ("supervisor",)  # admin may always
_dumps = partial(json.dumps, ensure_ascii=False, default=str)


class RegisterOut(TypedDict):
    """A page of the register: rows (each call's record with ``outcome_label``, ``topics``,
    ``recorded``, ``transcribed``, ``transferred``, ``linked``), the total and the page."""

    rows: list[dict[str, Any]]
    total: int
    page: int
    pages: int


def _paging(request: web.Request) -> str:
    """The request's filters as a query string without the page (for the paging links)."""
    kept = [(k, v) for k, v in request.query.items() if k != "strona" and v]
    return urlencode(kept)


def routes(service: RegisterService) -> list[web.RouteDef]:
    """The register's pages and JSON, bound to ``service``."""

    @documented("Rejestr połączeń: wyszukiwanie i filtry (strona HTML)", query=RegisterQuery,
                errors=(400, 401, 403, 503))  # fmt: skip
    @require(*ROLES)
    async def page(request: web.Request) -> web.StreamResponse:
        actor = await actor_of(request)
        choices = await service.choices(actor)
        context: dict[str, Any] = {
            "choices": choices,
            "asked": dict(request.query),
            "outcomes": labels.OUTCOMES,
            "paging": _paging(request),
        }
        try:
            query = read_query(request, RegisterQuery, InvalidQuery)
        except InvalidQuery as exc:
            return html(render(request, "polaczenia.html", error=exc.message, found=None,
                               **context), exc.status)  # fmt: skip
        found = await service.page(actor, query.filters(), query.page)
        return html(render(request, "polaczenia.html", error="", found=found, **context))

    @documented("Jedno połączenie z rejestru: przebieg, nagranie, transkrypcja, powiązania "
                "(strona HTML)", errors=(401, 403, 404, 503))  # fmt: skip
    @require(*ROLES)
    async def call_page(request: web.Request) -> web.StreamResponse:
        call = await service.call(await actor_of(request), request.match_info["call_id"])
        return html(render(request, "polaczenie.html", call=call))

    @documented("Rejestr połączeń (najnowsze pierwsze, po 50 na stronie)", query=RegisterQuery,
                returns=RegisterOut, errors=(400, 401, 403, 503))  # fmt: skip
    @require(*ROLES)
    async def list_json(request: web.Request) -> web.StreamResponse:
        query = read_query(request, RegisterQuery, InvalidQuery)
        found = await service.page(await actor_of(request), query.filters(), query.page)
        out: RegisterOut = {"rows": found.rows, "total": found.total, "page": found.page,
                            "pages": found.pages}  # fmt: skip
        return web.json_response(out, dumps=_dumps)

    @documented("Jedno połączenie z rejestru z przebiegiem, odcinkami i powiązaniami",
                errors=(401, 403, 404, 503))  # fmt: skip
    @require(*ROLES)
    async def call_json(request: web.Request) -> web.StreamResponse:
        call = await service.call(await actor_of(request), request.match_info["call_id"])
        return web.json_response(call, dumps=_dumps)

    return [
        web.get("/polaczenia", page),
        web.get("/polaczenia/{call_id}", call_page),
        web.get("/api/rejestr/polaczenia", list_json),
        web.get("/api/rejestr/polaczenia/{call_id}", call_json),
    ]
