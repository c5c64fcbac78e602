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
from typing import TypeVar

from aiohttp import web
from pydantic import BaseModel

from cic.auth.actor import Actor, AgentInterface, actor_of
from cic.auth.roles import require
from cic.auth.templates import html, render
from cic.cases.errors import InvalidValue
from cic.cases.schemas import (
    CallLinks,
    CaseChange,
    CaseIn,
    CaseOut,
    CasesQuery,
    CaseSummary,
    CatalogueOut,
    Deadlines,
    DeadlinesQuery,
    DocumentIn,
    MetrykaEntry,
    Receipt,
    ReportIn,
    ReportOut,
    ReportsQuery,
    SpisOut,
    SpisQuery,
)
from cic.cases.service import CaseService
from cic.http.endpoint import documented
from cic.http.schemas import read_body, read_query

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
SIGNED_IN = ("agent", "specialist", "supervisor")
OFFICIALS = ("specialist", "supervisor")  # admin may always
MAX_BODY = 200_000
M = TypeVar("M", bound=BaseModel)


async def _body(request: web.Request, model: type[M]) -> M:
    return await read_body(request, model, InvalidValue, MAX_BODY)


def _report_id(request: web.Request) -> int:
    raw = request.match_info["id"]
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9:
        raise InvalidValue("Numer zgłoszenia to liczba.")
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

    @documented(
        "Zgłoszenia, najnowsze pierwsze",
        query=ReportsQuery,
        returns=list[ReportOut],
        errors=(400, 401, 403),
    )
    @signed_in
    async def list_reports(request: web.Request) -> web.StreamResponse:
        query = read_query(request, ReportsQuery, InvalidValue)
        return web.json_response(await service.reports(query, await _actor(request)))

    @documented(
        "Nowe zgłoszenie (z rozmowy lub bez)",
        body=ReportIn,
        returns=ReportOut,
        status=201,
        errors=(400, 401, 403, 503),
    )
    @signed_in
    async def create_report(request: web.Request) -> web.StreamResponse:
        body = await _body(request, ReportIn)
        return web.json_response(
            await service.create_report(body.given(), await _actor(request)), status=201
        )

    @documented("Jedno zgłoszenie", returns=ReportOut, errors=(400, 401, 403, 404, 503))
    @signed_in
    async def get_report(request: web.Request) -> web.StreamResponse:
        return web.json_response(await service.report(_report_id(request), await _actor(request)))

    @documented(
        "Zmiana zgłoszenia; status przekazane z komórką przekazuje je",
        body=ReportIn,
        returns=ReportOut,
        errors=(400, 401, 403, 404, 503),
    )
    @signed_in
    async def patch_report(request: web.Request) -> web.StreamResponse:
        body = await _body(request, ReportIn)
        report_id = _report_id(request)
        return web.json_response(
            await service.update_report(report_id, body.given(), await _actor(request))
        )

    @documented(
        "Połącz rozmowy ze zgłoszeniem (i z jego sprawą)",
        body=CallLinks,
        returns=ReportOut,
        errors=(400, 401, 403, 404, 503),
    )
    @signed_in
    async def report_calls(request: web.Request) -> web.StreamResponse:
        body = await _body(request, CallLinks)
        report_id = _report_id(request)
        linked = await service.link_call_to_report(report_id, body.given(), await _actor(request))
        return web.json_response(linked)

    @documented(
        "Zarejestruj sprawę ze zgłoszenia albo połącz je z istniejącą (signature)",
        body=CaseIn,
        returns=Receipt,
        status=201,
        also={200: "Połączono z istniejącą sprawą (signature)"},
        errors=(400, 401, 403, 404, 409, 503),
    )
    @signed_in
    async def report_case(request: web.Request) -> web.StreamResponse:
        body = await _body(request, CaseIn)
        report_id, actor = _report_id(request), await _actor(request)
        if body.signature is not None:  # agents too: their report, a case the caller has open
            linked = await service.link_report_to_case(report_id, body.signature, actor)
            return web.json_response(linked)
        return web.json_response(await service.register(body.given(), actor, report_id), status=201)

    @documented(
        "Sprawy (konsultant: tylko połączone z jego zgłoszeniami)",
        query=CasesQuery,
        returns=list[CaseSummary],
        errors=(400, 401, 403, 503),
    )
    @signed_in
    async def list_cases(request: web.Request) -> web.StreamResponse:
        query = read_query(request, CasesQuery, InvalidValue)
        return web.json_response(await service.cases(query, await _actor(request)))

    @documented(
        "Rejestracja sprawy (specjalista, kierownik, administrator); PIN podany tylko raz",
        body=CaseIn,
        returns=Receipt,
        status=201,
        errors=(400, 401, 403, 503),
    )
    @officials
    async def register(request: web.Request) -> web.StreamResponse:
        body = await _body(request, CaseIn)
        registered = await service.register(body.given(), await _actor(request))
        return web.json_response(registered, status=201)

    @documented(
        "Sprawy po terminie (z przypomnieniem z art. 36 KPA) i z bliskim terminem",
        query=DeadlinesQuery,
        returns=Deadlines,
        errors=(400, 401, 403, 503),
    )
    @officials
    async def deadlines(request: web.Request) -> web.StreamResponse:
        days = read_query(request, DeadlinesQuery, InvalidValue).dni
        return web.json_response(await service.deadlines(days))

    @documented("Jedna sprawa", returns=CaseOut, errors=(400, 401, 403, 404, 503))
    @signed_in
    async def get_case(request: web.Request) -> web.StreamResponse:
        signature = request.match_info["signature"]
        return web.json_response(await service.case(signature, await _actor(request)))

    @documented(
        "Zmiana sprawy (status, przydział, strony, termin)",
        body=CaseChange,
        returns=CaseOut,
        errors=(400, 401, 403, 404, 409, 503),
    )
    @officials
    async def patch_case(request: web.Request) -> web.StreamResponse:
        body = await _body(request, CaseChange)
        signature = request.match_info["signature"]
        changed = await service.update_case(signature, body.given(), await _actor(request))
        return web.json_response(changed)

    @documented(
        "Metryka sprawy: każda czynność (data, kto, co, dokument)",
        returns=list[MetrykaEntry],
        errors=(400, 401, 403, 404, 503),
    )
    @signed_in
    async def metryka(request: web.Request) -> web.StreamResponse:
        signature = request.match_info["signature"]
        return web.json_response(await service.metryka(signature, await _actor(request)))

    @documented(
        "Połącz rozmowy ze sprawą",
        body=CallLinks,
        returns=CaseOut,
        errors=(400, 401, 403, 404, 503),
    )
    @officials
    async def case_calls(request: web.Request) -> web.StreamResponse:
        body = await _body(request, CallLinks)
        signature = request.match_info["signature"]
        linked = await service.link_call_to_case(signature, body.given(), await _actor(request))
        return web.json_response(linked)

    @documented(
        "Dokument dołączony do sprawy (wpis w metryce)",
        body=DocumentIn,
        returns=list[MetrykaEntry],
        status=201,
        errors=(400, 401, 403, 404, 409, 503),
    )
    @officials
    async def documents(request: web.Request) -> web.StreamResponse:
        body = await _body(request, DocumentIn)
        signature = request.match_info["signature"]
        added = await service.add_document(signature, body.given(), await _actor(request))
        return web.json_response(added, status=201)

    @documented(
        "Spis spraw komórki, klasy JRWA i roku",
        query=SpisQuery,
        returns=SpisOut,
        errors=(400, 401, 403, 503),
    )
    @officials
    async def spis(request: web.Request) -> web.StreamResponse:
        query = read_query(request, SpisQuery, InvalidValue)
        listed = await service.register_list(query.komorka, query.jrwa, query.rok)
        return web.json_response(listed)

    @documented(
        "Klasy JRWA urzędu (lub wbudowany wycinek)",
        returns=CatalogueOut,
        errors=(401, 403, 503),
    )
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
