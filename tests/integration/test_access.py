"""Access control over HTTP against the real ``create_app(settings)`` (no Asterisk needed).

The AMI session retries in the background; the FastAGI server listens on a free port.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from cic.auth import users
from cic.auth.middleware import is_public
from cic.auth.monitoring import MONITORING_PATHS
from cic.auth.views import AUTH_SERVICE
from cic.config import load_settings
from cic.credentials import Credentials
from cic.web.app import SERVICES, create_app
from tests.integration.harness import free_port
from tests.unit.test_auth_support import T0, FakeClock

PASSWORDS = {"agentka": "haslo-agentki-1", "szef": "haslo-szefa-12", "root": "haslo-admina-1"}
ODD_NAME = "<img src=x onerror=alert(1)> Zażółć 🙂 " + "ą" * 150
Client = TestClient[Any, Any]


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[tuple[web.Application, Client, FakeClock]]:
    settings = load_settings(
        environ={
            "CIC_STATE_DIR": str(tmp_path),
            "CIC_ASTERISK__AMI_PORT": str(free_port()),
            "CIC_ASTERISK__AGI_PORT": str(free_port()),
            "CIC_ASTERISK__INSTANCE": "access-test",
        }
    )
    application = create_app(settings)
    clock = FakeClock()
    application[AUTH_SERVICE].set_clock(clock)
    async with TestClient(TestServer(application, host="127.0.0.1")) as client:
        store = application[SERVICES].store

        def seed(db: Any) -> None:
            users.add(db, "agentka", ODD_NAME, "agent", PASSWORDS["agentka"], now=T0)
            users.add(db, "szef", "Jan Nowak", "supervisor", PASSWORDS["szef"], now=T0)
            users.add(db, "root", "Admin", "admin", PASSWORDS["root"], now=T0)

        await store.run(seed)
        yield application, client, clock


def origin(client: Client) -> dict[str, str]:
    return {"Origin": str(client.make_url("")).rstrip("/")}


async def sign_in(client: Client, username: str, csrf: str = "") -> str:
    """Sign in through the form; returns the CSRF token of the new session."""
    response = await client.post(
        "/logowanie",
        data={"username": username, "password": PASSWORDS[username], "csrf_token": csrf},
        headers=origin(client), allow_redirects=False,
    )  # fmt: skip
    assert response.status == 303, await response.text()
    me = await (await client.get("/api/auth/me")).json()
    return str(me["csrf_token"])


def session_cookie(client: Client) -> str:
    cookie = client.session.cookie_jar.filter_cookies(client.make_url("/")).get("cic_session")
    return cookie.value if cookie else ""


async def test_every_page_and_api_denies_without_sign_in(
    app: tuple[web.Application, Client, FakeClock],
) -> None:
    application, client, _ = app
    checked = 0
    for resource in application.router.resources():
        info = resource.get_info()
        path = info.get("path") or info.get("formatter") or info.get("prefix", "")
        if is_public(path):  # the sign-in page, the health check, the portal, static files
            continue
        if path in MONITORING_PATHS:  # by address or token, not by session: test_monitoring.py
            continue
        path = re.sub(r"\{[^}]+\}", "x", path)
        for route in resource:
            if route.method not in ("GET", "POST"):
                continue
            response = await client.request(
                route.method, path, headers=origin(client), allow_redirects=False
            )
            checked += 1
            if path.startswith("/api/"):
                assert response.status == 401, (route.method, path)
                assert (await response.json())["error"] == "not_signed_in"
            elif route.method == "GET":
                assert response.status == 302, path
                assert response.headers["Location"].startswith("/logowanie?next=")
            else:
                assert response.status == 401, (route.method, path)
    assert checked >= 10
    page = await client.get("/logowanie")
    assert page.status == 200 and "Zaloguj się" in await page.text()
    assert (await client.get("/static/css/cic.css")).status == 200
    assert (await client.get("/healthz")).status == 503  # public; no Asterisk here


async def test_roles(app: tuple[web.Application, Client, FakeClock]) -> None:
    _, client, _ = app
    await sign_in(client, "agentka")
    assert (await client.get("/konsola")).status == 200
    assert (await client.get("/")).status == 200
    for path in ("/nadzor", "/admin", "/api/auth/audit"):
        assert (await client.get(path, allow_redirects=False)).status == 403, path
    denied = await client.get("/api/auth/audit")
    assert (await denied.json())["error"] == "forbidden"
    client.session.cookie_jar.clear()
    await sign_in(client, "szef")
    assert (await client.get("/nadzor")).status == 200
    assert (await client.get("/admin")).status == 403
    client.session.cookie_jar.clear()
    await sign_in(client, "root")
    for path in ("/konsola", "/nadzor", "/admin", "/api/auth/audit"):
        assert (await client.get(path)).status == 200, path


async def test_csrf_token_required_and_other_origin_refused(
    app: tuple[web.Application, Client, FakeClock],
) -> None:
    _, client, _ = app
    token = await sign_in(client, "root")
    body = {"mode": "auto"}
    no_token = await client.post("/api/office/mode", json=body, headers=origin(client))
    assert no_token.status == 403 and (await no_token.json())["error"] == "csrf_rejected"
    wrong = await client.post(
        "/api/office/mode", json=body, headers={**origin(client), "X-CSRF-Token": "x" + token}
    )
    assert wrong.status == 403
    evil = await client.post(
        "/api/office/mode", json=body,
        headers={"Origin": "http://evil.example", "X-CSRF-Token": token},
    )  # fmt: skip
    assert evil.status == 403 and (await evil.json())["error"] == "origin_rejected"
    no_origin = await client.post("/api/office/mode", json=body, headers={"X-CSRF-Token": token})
    assert no_origin.status == 403
    ok = await client.post(
        "/api/office/mode", json=body, headers={**origin(client), "X-CSRF-Token": token}
    )
    assert ok.status == 200
    form = await client.post("/wylogowanie", data={}, headers=origin(client), allow_redirects=False)
    assert form.status == 403 and "token CSRF" in await form.text()
    out = await client.post(
        "/wylogowanie", data={"csrf_token": token}, headers=origin(client), allow_redirects=False
    )
    assert out.status == 303
    assert (await client.get("/api/auth/me")).status == 401
    cross_login = await client.post(
        "/logowanie", data={"username": "root", "password": PASSWORDS["root"]},
        headers={"Origin": "http://evil.example"}, allow_redirects=False,
    )  # fmt: skip
    assert cross_login.status == 403


async def test_api_token_still_works_without_csrf(
    app: tuple[web.Application, Client, FakeClock], tmp_path: Path
) -> None:
    _, client, _ = app
    token = Credentials(tmp_path / "secrets.json").api_token
    bearer = {"Authorization": f"Bearer {token}"}
    assert (await client.get("/api/status", headers=bearer)).status == 200
    posted = await client.post("/api/office/mode", json={"mode": "auto"}, headers=bearer)
    assert posted.status == 200
    bad = await client.get("/api/status", headers={"Authorization": "Bearer nope"})
    assert bad.status == 401


async def test_ten_wrong_passwords_lock_the_user_from_that_address(
    app: tuple[web.Application, Client, FakeClock],
) -> None:
    _, client, clock = app
    for attempt in range(1, 11):
        clock.advance(minutes=2)  # past any back-off
        response = await client.post(
            "/logowanie", data={"username": "agentka", "password": f"zle-{attempt}"},
            headers=origin(client), allow_redirects=False,
        )  # fmt: skip
        assert response.status == 401, attempt
        assert "Nieprawidłowa nazwa użytkownika lub hasło" in await response.text()
    clock.advance(minutes=2)
    locked = await client.post(
        "/logowanie", data={"username": "agentka", "password": PASSWORDS["agentka"]},
        headers=origin(client), allow_redirects=False,
    )  # fmt: skip
    assert locked.status == 429
    assert int(locked.headers["Retry-After"]) > 0
    assert "Zbyt wiele nieudanych prób" in await locked.text()
    assert session_cookie(client) == ""
    await sign_in(client, "szef")  # another user from the same address is not locked


async def test_idle_session_is_gone_and_sign_in_issues_a_new_id(
    app: tuple[web.Application, Client, FakeClock],
) -> None:
    application, client, clock = app
    client.session.cookie_jar.update_cookies({"cic_session": "ustalone-przez-napastnika"})
    token = await sign_in(client, "agentka")
    first = session_cookie(client)
    assert first and first != "ustalone-przez-napastnika"
    await sign_in(client, "agentka", csrf=token)  # signed in already: the form carries the token
    second = session_cookie(client)
    assert second != first
    auth = application[AUTH_SERVICE]
    assert await auth.session(first) is None  # the old session was ended
    assert await auth.session(second) is not None
    clock.advance(minutes=29)
    assert (await client.get("/api/auth/me")).status == 200
    clock.advance(minutes=31)
    assert (await client.get("/api/auth/me")).status == 401
    page = await client.get("/konsola", allow_redirects=False)
    assert page.status == 302
    assert page.headers["Location"] in ("/logowanie?next=/konsola", "/logowanie?next=%2Fkonsola")


async def test_cookie_flags_and_odd_names_escaped(
    app: tuple[web.Application, Client, FakeClock],
) -> None:
    _, client, _ = app
    broken = await client.post(
        "/logowanie",
        data=b"{nie json",
        headers={**origin(client), "Content-Type": "application/json"},
    )
    assert broken.status == 400 and (await broken.json())["error"] == "bad_json"
    response = await client.post(
        "/logowanie", data={"username": "agentka", "password": PASSWORDS["agentka"]},
        headers=origin(client), allow_redirects=False,
    )  # fmt: skip
    assert response.headers["X-Frame-Options"] == "DENY"
    set_cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in set_cookie and "SameSite=Strict" in set_cookie
    page = await (await client.get("/konsola")).text()
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt; Zażółć 🙂 " + "ą" * 150 in page


async def test_every_response_carries_the_security_headers(
    app: tuple[web.Application, Client, FakeClock],
) -> None:
    """Every route (signed in and not), static files, the health check, unknown paths, errors
    and redirects: a policy that forbids framing, inline code and other sites."""
    application, client, _ = app
    await sign_in(client, "root")
    paths = {"/static/css/cic.css", "/healthz", "/nie-ma-takiej", "/api/nie-ma/48600100200"}
    for resource in application.router.resources():
        info = resource.get_info()
        path = info.get("path") or info.get("formatter") or ""
        if path and not path.startswith("/static"):
            paths.add(path.replace("{", "").replace("}", ""))
    seen = set()
    for signed_in in (True, False):
        if not signed_in:
            client.session.cookie_jar.clear()
        for path in sorted(paths):
            response = await client.get(path, allow_redirects=False)
            seen.add(response.status)
            headers = response.headers
            if response.status == 101:
                continue
            csp = headers.get("Content-Security-Policy", "")
            assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp, path
            assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
            assert headers["X-Content-Type-Options"] == "nosniff", path
            assert headers["X-Frame-Options"] == "DENY", path
            assert headers["Referrer-Policy"] == "same-origin", path
            if not path.startswith("/static/"):
                assert headers["Cache-Control"] == "no-store", path
    assert {200, 302, 401, 404} <= seen, seen
