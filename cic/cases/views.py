"""Contact reports and cases over HTTP (JSON, Polish messages).

GET|POST /api/zgloszenia, GET|PATCH /api/zgloszenia/{id}, POST /api/zgloszenia/{id}/calls,
POST /api/zgloszenia/{id}/sprawa (register a case from it, or ``{"signature"}`` to link one),
GET|POST /api/sprawy, GET /api/sprawy/terminy, GET|PATCH /api/sprawy/{signature},
GET /api/sprawy/{signature}/metryka, POST /api/sprawy/{signature}/calls|dokumenty,
GET /api/spis-spraw?komorka=&jrwa=&rok=, GET /api/jrwa; the page ``/sprawy``.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from cic.auth.actor import Actor, AgentInterface, actor_of
from cic.auth.roles import require
from cic.auth.templates import html, render
from cic.cases.errors import InvalidValue
from cic.cases.service import CaseService
from cic.http.endpoint import documented
from cic.http.json_api import json_object, whole_number

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
SIGNED_IN = ("agent", "specialist", "supervisor")
OFFICIALS = ("specialist", "supervisor")  # admin may always
MAX_BODY = 200_000


async def _body(request: web.Request) -> dict[str, Any]:
    return await json_object(request, InvalidValue, MAX_BODY)


def _report_id(request: web.Request) -> int:
    raw = request.match_info["id"]
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9:
        raise InvalidValue("Numer zgłoszenia to liczba.")
    return int(raw)


def _year(raw: str) -> int:
    if not (raw.isascii() and raw.isdigit()) or len(raw) != 4:
        raise InvalidValue("Parametr rok to cztery cyfry, np. 2026.")
    return int(raw)


def routes(service: CaseService, interface_of: AgentInterface | None = None) -> list[web.RouteDef]:
    """The routes of the case register (and the OpenAPI document); ``interface_of`` tells the
    device of a user's agent (the calls they took carry it)."""

    async def _actor(request: web.Request) -> Actor:
        return await actor_of(request, interface_of)

    def signed_in(fn: Handler) -> Handler:
        return require(*SIGNED_IN)(fn)

    def officials(fn: Handler) -> Handler:
        return require(*OFFICIALS)(fn)

    @documented("Zgłoszenia i sprawy (strona HTML)", errors=(401, 403))
    @require(*SIGNED_IN)
    async def page(request: web.Request) -> web.StreamResponse:
        return html(render(request, "cases.html", official=(await _actor(request)).official))

    @signed_in
    async def list_reports(request: web.Request) -> web.StreamResponse:
        return web.json_response(await service.reports(dict(request.query), await _actor(request)))

    @signed_in
    async def create_report(request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        return web.json_response(
            await service.create_report(body, await _actor(request)), status=201
        )

    @signed_in
    async def get_report(request: web.Request) -> web.StreamResponse:
        return web.json_response(await service.report(_report_id(request), await _actor(request)))

    @signed_in
    async def patch_report(request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        report_id = _report_id(request)
        return web.json_response(
            await service.update_report(report_id, body, await _actor(request))
        )

    @signed_in
    async def report_calls(request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        report_id = _report_id(request)
        linked = await service.link_call_to_report(report_id, body, await _actor(request))
        return web.json_response(linked)

    @signed_in
    async def report_case(request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        report_id, actor = _report_id(request), await _actor(request)
        if "signature" in body:  # agents too: their report, a case the caller has open
            signature = body["signature"]
            if not isinstance(signature, str):
                raise InvalidValue("Pole signature to znak sprawy (tekst).")
            return web.json_response(await service.link_report_to_case(report_id, signature, actor))
        return web.json_response(await service.register(body, actor, report_id), status=201)

    @signed_in
    async def list_cases(request: web.Request) -> web.StreamResponse:
        return web.json_response(await service.cases(dict(request.query), await _actor(request)))

    @officials
    async def register(request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        return web.json_response(await service.register(body, await _actor(request)), status=201)

    @officials
    async def deadlines(request: web.Request) -> web.StreamResponse:
        days = whole_number(request.query.get("dni", "7"), 0, 90)
        if days is None:
            raise InvalidValue("Parametr dni to liczba od 0 do 90.")
        return web.json_response(await service.deadlines(days))

    @signed_in
    async def get_case(request: web.Request) -> web.StreamResponse:
        signature = request.match_info["signature"]
        return web.json_response(await service.case(signature, await _actor(request)))

    @officials
    async def patch_case(request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        signature = request.match_info["signature"]
        return web.json_response(await service.update_case(signature, body, await _actor(request)))

    @signed_in
    async def metryka(request: web.Request) -> web.StreamResponse:
        signature = request.match_info["signature"]
        return web.json_response(await service.metryka(signature, await _actor(request)))

    @officials
    async def case_calls(request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        signature = request.match_info["signature"]
        linked = await service.link_call_to_case(signature, body, await _actor(request))
        return web.json_response(linked)

    @officials
    async def documents(request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        signature = request.match_info["signature"]
        added = await service.add_document(signature, body, await _actor(request))
        return web.json_response(added, status=201)

    @officials
    async def spis(request: web.Request) -> web.StreamResponse:
        query = request.query
        if not all(query.get(k) for k in ("komorka", "jrwa", "rok")):
            raise InvalidValue(
                "Podaj parametry komorka, jrwa i rok, np. ?komorka=FN&jrwa=3110&rok=2026."
            )
        listed = await service.register_list(query["komorka"], query["jrwa"], _year(query["rok"]))
        return web.json_response(listed)

    @signed_in
    async def jrwa(request: web.Request) -> web.StreamResponse:
        catalogue = await service.jrwa_classes()
        catalogue.pop("names", None)
        return web.json_response(catalogue)

    return [
        web.get("/sprawy", page),
        web.get("/api/zgloszenia", list_reports),
        web.post("/api/zgloszenia", create_report),
        web.get("/api/zgloszenia/{id}", get_report),
        web.patch("/api/zgloszenia/{id}", patch_report),
        web.post("/api/zgloszenia/{id}/calls", report_calls),
        web.post("/api/zgloszenia/{id}/sprawa", report_case),
        web.get("/api/sprawy", list_cases),
        web.post("/api/sprawy", register),
        web.get("/api/sprawy/terminy", deadlines),
        web.get("/api/sprawy/{signature}", get_case),
        web.patch("/api/sprawy/{signature}", patch_case),
        web.get("/api/sprawy/{signature}/metryka", metryka),
        web.post("/api/sprawy/{signature}/calls", case_calls),
        web.post("/api/sprawy/{signature}/dokumenty", documents),
        web.get("/api/spis-spraw", spis),
        web.get("/api/jrwa", jrwa),
    ]
