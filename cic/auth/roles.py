"""Roles and the ``require(*roles)`` decorator for views (admin may do everything)."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable

from aiohttp import web

from cic.auth.errors import Forbidden, NotSignedIn
from cic.auth.models import ROLES
from cic.auth.sessions import CurrentUser, SessionInfo

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
USER_KEY = web.RequestKey("user", CurrentUser)
SESSION_KEY = web.RequestKey("auth_session", SessionInfo)
CSRF_KEY = web.RequestKey("csrf_token", str)
ROLE_LABELS = {
    "agent": "konsultant",
    "specialist": "specjalista",
    "supervisor": "kierownik zmiany",
    "iod": "inspektor ochrony danych",
    "editor": "redaktor portalu",
    "management": "kierownictwo urzędu",
    "admin": "administrator",
}

#: Roles kept to a few paths whatever a route's own guard says (a path ending in "/" stands for
#: everything below it): the office's management reads the dashboard, its exports and the
#: council report, and nothing else (no calls, cases, recordings or status page; the records
#: behind a figure, under /wskazniki/ too, are refused by the dashboard's service).
CONFINED: dict[str, tuple[str, ...]] = {
    "management": (
        "/wskazniki",
        "/wskazniki/",
        "/api/wskazniki",
        "/api/wskazniki/",
        "/api/auth/me",
        "/wylogowanie",
    ),
}


def confined_out(user: CurrentUser, path: str) -> bool:
    """True when ``user``'s role is confined (``CONFINED``) and ``path`` is not one of its."""
    paths = CONFINED.get(user.role)
    if paths is None:
        return False
    return not any(path == p or (p.endswith("/") and path.startswith(p)) for p in paths)


def allowed(user: CurrentUser, roles: tuple[str, ...]) -> bool:
    """True when ``user`` has one of ``roles`` (or is admin; no roles means any signed-in user)."""
    return not roles or user.role == "admin" or user.role in roles


def current_user(request: web.Request) -> CurrentUser | None:
    """``request[USER_KEY]`` if the request is signed in (session or API token)."""
    return request.get(USER_KEY)


def guard(*roles: str) -> Callable[[web.Request], Awaitable[None]]:
    """An awaitable check for views that take their guard as an argument (raises to refuse)."""

    async def check(request: web.Request) -> None:
        user = current_user(request)
        if user is None:
            raise NotSignedIn()
        if not allowed(user, roles):
            raise Forbidden()

    return check


def require(*roles: str) -> Callable[[Handler], Handler]:
    """Let only signed-in users with one of ``roles`` (admin always) into the view."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles: {sorted(unknown)}")

    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def wrapper(request: web.Request) -> web.StreamResponse:
            user = current_user(request)
            if user is None:
                raise NotSignedIn()
            if not allowed(user, roles):
                raise Forbidden()
            return await handler(request)

        return wrapper

    return decorate
