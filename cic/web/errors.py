"""``error_middleware``: the one place a domain error becomes a response.

A view (or the service under it) raises a :class:`cic.errors.CicError`; this middleware answers
with its status and ``{"error": error_id, "message": ...}`` for ``/api/`` and JSON clients, or
the Polish error page otherwise (for the resident portal, a page in the portal's own layout,
also for an address that leads nowhere). A database that cannot be reached or is busy
(``is_transient``) becomes :class:`cic.errors.StoreUnavailable` (503) instead of a 500. It
sits outside the auth middleware, which answers (and audits) refusals of a route itself.
"""

from __future__ import annotations

import logging

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from cic.auth.middleware import is_portal
from cic.auth.templates import error_response
from cic.db import is_transient
from cic.errors import CicError, StoreUnavailable
from cic.portal.render import error_page
from cic.portal.site import SITE

log = logging.getLogger(__name__)


class NoSuchPage(CicError):
    """A portal address that leads nowhere (the router's 404 or 405, shown as a portal page)."""

    status = 404
    error_id = "not_found"
    default_message = "Nie ma takiej strony. Sprawdź adres albo zacznij od strony głównej."


def error_middleware() -> Middleware:
    """The middleware (see the module docstring)."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        portal = is_portal(request.path) and SITE in request.app
        try:
            return await handler(request)
        except CicError as exc:
            return error_page(request, exc) if portal else error_response(request, exc)
        except (web.HTTPNotFound, web.HTTPMethodNotAllowed) as exc:
            if not portal:
                raise
            return error_page(request, NoSuchPage(), status=exc.status)
        except Exception as exc:
            if not is_transient(exc):
                raise
            resource = request.match_info.route.resource
            where = resource.canonical if resource is not None else "?"
            log.warning("database unavailable in %s %s: %s", request.method, where, exc)
            failure = StoreUnavailable()
            return error_page(request, failure) if portal else error_response(request, failure)

    return middleware
