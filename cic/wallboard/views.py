"""The wallboard's JSON snapshot and its live websocket."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from aiohttp import web

from cic.auth.csrf import check_ws_origin
from cic.auth.templates import html, render
from cic.bus import Bus
from cic.http.endpoint import documented
from cic.http.live import stream
from cic.wallboard.handlers import TOPIC
from cic.wallboard.service import Wallboard

Guard = Callable[[web.Request], Awaitable[None]]


def routes(board: Wallboard, bus: Bus, guard: Guard) -> list[web.RouteDef]:
    """The page ``/nadzor``, ``GET /api/wallboard`` and the websocket ``/ws/wallboard``.

    ``guard`` raises to refuse (the app passes a supervisor-role check).
    """

    @documented(
        "Tablica nadzoru teraz: kolejki (czekający, obsłużone, poziom obsługi) i konsultanci",
        returns={"type": "object"},
        errors=(401, 403),
    )
    async def snapshot(request: web.Request) -> web.StreamResponse:
        await guard(request)
        return web.json_response(board.snapshot(datetime.now(UTC)))

    @documented(
        "Tablica nadzoru na żywo (WebSocket)",
        description="Najpierw stan teraz, potem każda zmiana; połączenie z innej witryny: 403.",
        status=101,
        errors=(403,),
    )
    async def live(request: web.Request) -> web.StreamResponse:
        await guard(request)
        first = {"topic": TOPIC, "message": board.snapshot(datetime.now(UTC))}
        return await stream(request, bus, (TOPIC,), first=first, origin_ok=check_ws_origin)

    @documented("Tablica nadzoru kierownika zmiany (strona HTML)", errors=(403,))
    async def page(request: web.Request) -> web.StreamResponse:
        await guard(request)
        return html(
            render(request, "wallboard.html", target=round(board.target), timezone=str(board.zone))
        )

    return [
        web.get("/nadzor", page),
        web.get("/api/wallboard", snapshot),
        web.get("/ws/wallboard", live),
    ]
