"""``auth_middleware``: who is calling, default deny, CSRF and Origin checks, error pages.

Every path needs a signed-in session except ``PUBLIC_PATHS`` and ``/static/``. ``/api/`` also
accepts the controller's bearer token (the ``cic`` command), which needs no CSRF token.
``PUBLIC_API`` (the residents' web form) is answered the same whoever is signed in: its POSTs
pass the Origin check but not a session's CSRF check (the form's own token stands in). The
resident portal (``/e-urzad``) never looks at a session at all: its pages show nothing of a
signed-in official, and its forms carry their own signed token (``cic.portal.forms``).
A role kept to a few paths (``cic.auth.roles.CONFINED``: the management) is refused every
other path here, whatever the route's own guard says. ``/metrics`` and ``/readyz`` are for the
monitoring only (``cic.auth.monitoring``): an allowed address or the monitoring token, else
403; no session is looked at.
Sets ``request[USER_KEY]`` (``CurrentUser``; read it with ``cic.auth.roles.current_user``),
``request[SESSION_KEY]`` (``SessionInfo``, not for token requests) and ``request[CSRF_KEY]``.
"""

from __future__ import annotations

import hmac
from urllib.parse import quote

from aiohttp import web
from aiohttp.typedefs import Middleware

from cic.auth.actor import Actor
from cic.auth.csrf import UNSAFE_METHODS, check_origin, submitted_csrf_token, tokens_match
from cic.auth.errors import AuthError, CsrfRejected, Forbidden, NotSignedIn, OriginRejected
from cic.auth.monitoring import LOOPBACK, MONITORING_PATHS, MonitoringAccess
from cic.auth.refusals import record_refusal
from cic.auth.roles import CSRF_KEY, SESSION_KEY, USER_KEY, Handler, confined_out
from cic.auth.service import AuthService
from cic.auth.sessions import CurrentUser
from cic.auth.templates import error_response

PUBLIC_API = frozenset({"/api/formularz"})
PUBLIC_PATHS = frozenset({"/healthz", "/logowanie"}) | PUBLIC_API
#: The resident portal: public pages whose forms carry their own signed token (no session).
PORTAL = "/e-urzad"
#: Portal POSTs a mail provider sends for a resident: RFC 8058 one-click unsubscribe comes from
#: the provider's server with no Origin; the signed token in the path is the authority (it can
#: only take its own address off the newsletter or the warnings).
ONE_CLICK = ("/e-urzad/powiadomienia/wypisz/", "/e-urzad/ostrzezenia/wypisz/")
API_USER = CurrentUser(0, "api", "Token API", "admin", None)


def is_portal(path: str) -> bool:
    """True for ``/e-urzad`` and every path below it (not ``/e-urzadx``)."""
    return path == PORTAL or path.startswith(PORTAL + "/")


def is_public(path: str) -> bool:
    """Pages anyone may open: the health check, the sign-in page, the residents' web form,
    the resident portal, static files."""
    return path in PUBLIC_PATHS or is_portal(path) or path.startswith("/static/")


def auth_middleware(
    auth: AuthService, api_token: str, monitoring: MonitoringAccess | None = None
) -> Middleware:
    """The middleware; ``api_token`` is the bearer token accepted on ``/api/``; ``monitoring``
    says who may read ``/metrics`` and ``/readyz`` (default: the loopback only)."""
    expected = f"Bearer {api_token}".encode()
    monitors = monitoring or MonitoringAccess(LOOPBACK)
    cookie = auth.settings.cookie_name

    async def identify(request: web.Request) -> bool:
        """Set the request's user; True when it came with the API token."""
        given = request.headers.get("Authorization")
        if given is not None and request.path.startswith("/api/"):
            if not hmac.compare_digest(given.encode(), expected):
                raise NotSignedIn("Brak uprawnień: nieprawidłowy token API.")
            request[USER_KEY] = API_USER
            return True
        token = request.cookies.get(cookie)
        info = await auth.session(token) if token else None
        if info is not None:
            request[USER_KEY] = info.user
            request[SESSION_KEY] = info
            request[CSRF_KEY] = info.csrf_token
        return False

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path.startswith("/static/") or request.path == "/healthz":
            return await handler(request)
        if request.path in MONITORING_PATHS:  # for the monitoring, by address or its token
            if monitors.allows(request.remote, request.headers.get("Authorization")):
                return await handler(request)
            refused = Forbidden("Brak dostępu: tylko dla monitoringu (dozwolony adres lub token).")
            return web.json_response(refused.to_dict(), status=refused.status)
        if is_portal(request.path):  # residents: no session is looked at, a form's token stands
            if (
                request.method in UNSAFE_METHODS
                and not request.path.startswith(ONE_CLICK)
                and not check_origin(request)
            ):
                raise OriginRejected()  # the error middleware answers in the portal's layout
            return await handler(request)
        try:
            by_token = await identify(request)
            user = request.get(USER_KEY)
            if user is None and not is_public(request.path):
                raise NotSignedIn()
            if user is not None and not is_public(request.path):
                if confined_out(user, request.path):  # the management outside its few pages
                    raise Forbidden()
            if request.method in UNSAFE_METHODS and not by_token:
                if not check_origin(request):
                    raise OriginRejected()
                info = request.get(SESSION_KEY)
                if info is not None and request.path not in PUBLIC_API:
                    given = await submitted_csrf_token(request)
                    if not tokens_match(info.csrf_token, given):
                        raise CsrfRejected()
            response = await handler(request)
        except NotSignedIn as exc:
            if request.method == "GET" and not request.path.startswith("/api/"):
                raise web.HTTPFound(f"/logowanie?next={quote(request.path_qs, safe='')}") from exc
            response = error_response(request, exc)
        except AuthError as exc:
            if exc.status == 403 and not exc.recorded:  # a refused role, CSRF or Origin: on record
                await _audit_refusal(auth, request, exc)
            response = error_response(request, exc)
        return response

    return middleware


async def _audit_refusal(auth: AuthService, request: web.Request, error: AuthError) -> None:
    """Write a refused request to the audit log by its route pattern (never the raw path, which
    can carry a phone number)."""
    user = request.get(USER_KEY)
    ip = request.remote or ""
    actor = Actor(user.username, user.role, None, ip) if user else Actor("", "", None, ip)
    resource = request.match_info.route.resource
    where = resource.canonical if resource is not None else "(nieznana ścieżka)"
    await record_refusal(auth.store, actor, "route", f"{request.method} {where}", error)
