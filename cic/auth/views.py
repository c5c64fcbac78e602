"""Sign-in and sign-out pages, ``/api/auth/*`` (the role pages live in their domains).

GET/POST /logowanie     the sign-in form (JSON body accepted too)
POST /wylogowanie       sign out (deletes the session)
GET /api/auth/me        who am I, with the CSRF token for scripts
GET /api/auth/audit     the newest audit entries (admin)
POST /api/auth/users/{username}/revoke  end every session of a user (admin)
"""

from __future__ import annotations

import re

from aiohttp import web
from pydantic import Field

from cic.auth import audit
from cic.auth.errors import AuthError, Throttled
from cic.auth.roles import CSRF_KEY, current_user, require
from cic.auth.schemas import AuditOut
from cic.auth.service import AuthService
from cic.auth.templates import STATIC, error_response, html, render
from cic.errors import CicError
from cic.http.endpoint import documented
from cic.http.json_api import form_fields
from cic.http.schemas import Body, parse_body, read_body

LOCAL_PATH = re.compile(r"/[A-Za-z0-9._~!$&'()*+,;=:@%/?-]*")
AUTH_SERVICE = web.AppKey("auth_service", AuthService)
HOMES = {
    "agent": "/konsola",
    "specialist": "/konsola",
    "supervisor": "/nadzor",
    "iod": "/rodo",
    "editor": "/redakcja",
    "management": "/wskazniki",
    "admin": "/admin",
}


def safe_next(value: object, role: str) -> str:
    """A local path to go to after sign-in (never another site)."""
    if isinstance(value, str) and LOCAL_PATH.fullmatch(value) and not value.startswith("//"):
        return value
    return HOMES.get(role, "/")


def client_ip(request: web.Request) -> str:
    """The client's address: the peer, or who is behind a trusted proxy (``cic.auth.proxies``
    sets ``request.remote``)."""
    return request.remote or ""


class SignIn(Body):
    """The sign-in form's fields (as a JSON object or an HTML form)."""

    username: str = Field("", title="Login")
    password: str = Field("", title="Hasło")
    next: str = Field("", description="ścieżka w centrum po zalogowaniu")


async def _form(request: web.Request) -> SignIn:
    """The sign-in form from a JSON object or form fields (``BadJson`` when neither reads)."""
    if request.content_type == "application/json":
        return await read_body(request, SignIn)
    return parse_body(await form_fields(request), SignIn)


def routes(auth: AuthService) -> list[web.AbstractRouteDef]:
    """The routes of the auth domain, plus ``/static/``."""
    cookie = auth.settings.cookie_name

    @documented(
        "Strona logowania (strona HTML)",
        query={"next": {"type": "string"}},
        also={302: "Zalogowany: przekierowanie na next albo stronę jego roli"},
    )
    async def login_page(request: web.Request) -> web.StreamResponse:
        user = current_user(request)
        if user is not None:
            raise web.HTTPFound(safe_next(request.query.get("next"), user.role))
        page = render(
            request, "login.html", next=request.query.get("next", ""), error="", username=""
        )
        return html(page)

    @documented(
        "Logowanie: nowa sesja (formularz lub JSON)",
        description=(
            "Formularz dostaje przekierowanie 303 na ``next`` albo stronę roli; treść JSON"
            " odpowiedź 200 z loginem, rolą, tokenem CSRF i ``next``. Sesja w ciasteczku."
        ),
        body=SignIn,
        status=303,
        also={200: "Treść JSON: login, rola, token CSRF i next (formularz dostaje 303)"},
        errors=(400, 401, 429, 503),
    )
    async def login(request: web.Request) -> web.StreamResponse:
        data = SignIn()
        try:
            data = await _form(request)
            signed = await auth.sign_in(data.username.strip(), data.password, client_ip(request))
        except CicError as exc:
            refused: web.Response
            if request.content_type == "application/json":
                refused = web.json_response(exc.to_dict(), status=exc.status)
            else:
                page = render(
                    request, "login.html", next=data.next, error=exc.message,
                    username=data.username,
                )  # fmt: skip
                refused = html(page, exc.status)
            if isinstance(exc, Throttled):
                refused.headers["Retry-After"] = str(exc.retry_after)
            return refused
        old = request.cookies.get(cookie)
        if old:
            await auth.sign_out(old, client_ip(request))
        target = safe_next(data.next, signed.user.role)
        response: web.StreamResponse
        if request.content_type == "application/json":
            response = web.json_response(
                {"username": signed.user.username, "role": signed.user.role,
                 "csrf_token": signed.csrf_token, "next": target}
            )  # fmt: skip
        else:
            response = web.Response(status=303, headers={"Location": target})
        response.set_cookie(
            cookie, signed.token, httponly=True, samesite="Strict",
            secure=bool(auth.settings.cookie_secure), path="/",
        )  # fmt: skip
        return response

    @documented("Wylogowanie: koniec sesji i powrót do strony logowania", status=303, errors=(503,))
    async def logout(request: web.Request) -> web.StreamResponse:
        token = request.cookies.get(cookie)
        if token:
            await auth.sign_out(token, client_ip(request))
        response = web.Response(status=303, headers={"Location": "/logowanie"})
        response.del_cookie(cookie, path="/")
        return response

    @documented(
        "Zalogowany użytkownik i jego token CSRF",
        returns={
            "type": "object",
            "properties": {
                "username": {"type": "string"},
                "display_name": {"type": "string"},
                "role": {"type": "string"},
                "agent_id": {"type": ["integer", "null"]},
                "csrf_token": {"type": "string"},
            },
        },
        errors=(401,),
    )
    @require()
    async def me(request: web.Request) -> web.StreamResponse:
        user = current_user(request)
        assert user is not None
        return web.json_response(
            {"username": user.username, "display_name": user.display_name, "role": user.role,
             "agent_id": user.agent_id, "csrf_token": request.get(CSRF_KEY, "")}
        )  # fmt: skip

    @documented(
        "Dziennik zdarzeń: 200 najnowszych wpisów",
        returns=list[AuditOut],
        errors=(401, 403, 503),
    )
    @require("admin")
    async def audit_log(request: web.Request) -> web.StreamResponse:
        entries = await auth.store.run(lambda db: audit.recent(db, 200))
        return web.json_response(entries)

    @documented(
        "Zakończenie wszystkich sesji użytkownika",
        returns={"type": "object", "properties": {"revoked": {"type": "integer"}}},
        errors=(401, 403, 404, 503),
    )
    @require("admin")
    async def revoke(request: web.Request) -> web.StreamResponse:
        user = current_user(request)
        actor = user.username if user else ""
        try:
            count = await auth.revoke_user(request.match_info["username"], actor)
        except AuthError as exc:
            return error_response(request, exc)
        return web.json_response({"revoked": count})

    return [
        web.get("/logowanie", login_page),
        web.post("/logowanie", login),
        web.post("/wylogowanie", logout),
        web.get("/api/auth/me", me),
        web.get("/api/auth/audit", audit_log),
        web.post("/api/auth/users/{username}/revoke", revoke),
        web.static("/static", STATIC),
    ]  # fmt: skip
