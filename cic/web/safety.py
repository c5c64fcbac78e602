"""The last line of defence of the web app: odd URLs refused, unexpected errors hidden.

``safety_middleware`` answers 400 for a path or query string carrying NUL (no database
stores it, and no route needs it), and turns any exception a view did not expect into a
generic Polish 500 (JSON for ``/api/``, a page otherwise) without internals; the exception
is logged with the method and route, never with the query string (it may hold personal data).
Views are expected to answer bad input themselves: this is only the net under them.
"""

from __future__ import annotations

import logging

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

log = logging.getLogger(__name__)
INTERNAL = {
    "error": "internal_error",
    "message": "Wystąpił nieoczekiwany błąd serwera. Spróbuj ponownie później.",
}
BAD_URL = {"error": "bad_url", "message": "Adres zawiera niedozwolony znak (NUL)."}
PAGE = """<!doctype html><html lang="pl"><meta charset="utf-8"><title>Błąd serwera</title>
<h1>Błąd serwera</h1><p>{message}</p><p><a href="/">Strona główna</a></p></html>"""
HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


def _wants_json(request: web.Request) -> bool:
    accept = request.headers.get("Accept", "")
    return request.path.startswith("/api/") or (
        "application/json" in accept and "text/html" not in accept
    )


def _answer(request: web.Request, body: dict[str, str], status: int) -> web.Response:
    if _wants_json(request):
        return web.json_response(body, status=status, headers=HEADERS)
    return web.Response(
        text=PAGE.format(message=body["message"]), status=status, content_type="text/html",
        charset="utf-8", headers=HEADERS,
    )  # fmt: skip


def _odd_url(request: web.Request) -> bool:
    if "\x00" in request.path:
        return True
    return any("\x00" in key or "\x00" in value for key, value in request.query.items())


def safety_middleware() -> Middleware:
    """The middleware (the outermost one of the app)."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            if _odd_url(request):
                return _answer(request, BAD_URL, 400)
            return await handler(request)
        except web.HTTPException:
            raise
        except Exception:
            route = request.match_info.route.resource
            where = route.canonical if route is not None else "?"
            log.exception("unexpected error in %s %s", request.method, where)
            return _answer(request, INTERNAL, 500)

    return middleware
