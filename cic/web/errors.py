"""``error_middleware``: the one place a domain error becomes a response.

A view (or the service under it) raises a :class:`cic.errors.CicError`; this middleware answers
with its status and ``{"error": error_id, "message": ...}`` for ``/api/`` and JSON clients, or
the Polish error page otherwise. A database that cannot be reached or is busy (``is_transient``)
becomes :class:`cic.errors.StoreUnavailable` (503) instead of a 500. It sits outside the auth
middleware, which answers (and audits) refusals of a route itself.
"""

from __future__ import annotations

import logging

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from cic.auth.templates import error_response
from cic.db import is_transient
from cic.errors import CicError, StoreUnavailable

log = logging.getLogger(__name__)


def error_middleware() -> Middleware:
    """The middleware (see the module docstring)."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            return await handler(request)
        except CicError as exc:
            return error_response(request, exc)
        except Exception as exc:
            if not is_transient(exc):
                raise
            resource = request.match_info.route.resource
            where = resource.canonical if resource is not None else "?"
            log.warning("database unavailable in %s %s: %s", request.method, where, exc)
            return error_response(request, StoreUnavailable())

    return middleware
