"""Sign-in protection over HTTP against the real ``create_app``, through a simulated proxy.

The test client connects from 127.0.0.1; with ``auth.trusted_proxies: [127.0.0.1]`` that is the
TLS reverse proxy every official's request comes through, and ``X-Forwarded-For`` names the
official's own address. An attacker failing again and again from one address must not lock
out another user, nor the same user from another address; admins see the lock and lift it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import Select, select

from cic.auth import users
from cic.auth.models import AuditEntry
from cic.auth.views import AUTH_SERVICE
from cic.config import AuthSettings, load_settings
from cic.web.app import SERVICES, create_app
from tests.integration.harness import free_port
from tests.unit.test_auth_support import T0, FakeClock

PASSWORDS = {"agentka": "haslo-agentki-1", "szef": "haslo-szefa-12", "root": "haslo-admina-1"}
ATTACKER, OFFICIAL, COLLEAGUE, ADMIN = "203.0.113.66", "198.51.100.10", "198.51.100.11", "10.1.1.1"
RULES = AuthSettings()
Client = TestClient[Any, Any]
App = tuple[web.Application, Client, FakeClock]


@asynccontextmanager
async def running(tmp_path: Path, **environ: str) -> AsyncIterator[App]:
    settings = load_settings(
        environ={
            "CIC_STATE_DIR": str(tmp_path),
            "CIC_ASTERISK__AMI_PORT": str(free_port()),
            "CIC_ASTERISK__AGI_PORT": str(free_port()),
            "CIC_ASTERISK__INSTANCE": "sign-in-test",
            **environ,
        }
    )
    application = create_app(settings)
    clock = FakeClock()
    application[AUTH_SERVICE].set_clock(clock)
    async with TestClient(TestServer(application, host="127.0.0.1")) as client:

        def seed(db: Any) -> None:
            users.add(db, "agentka", "Agentka Testowa", "agent", PASSWORDS["agentka"], now=T0)
            users.add(db, "szef", "Jan Nowak", "supervisor", PASSWORDS["szef"], now=T0)
            users.add(db, "root", "Admin", "admin", PASSWORDS["root"], now=T0)

        await application[SERVICES].store.run(seed)
        yield application, client, clock


@pytest.fixture
async def behind_proxy(tmp_path: Path) -> AsyncIterator[App]:
    async with running(tmp_path, CIC_AUTH__TRUSTED_PROXIES="127.0.0.1") as app:
        yield app


def origin(client: Client) -> dict[str, str]:
    return {"Origin": str(client.make_url("")).rstrip("/")}


def attempt(client: Client, username: str, address: str, password: str = "") -> Awaitable[Any]:
    """A sign-in form POST from ``address`` (as the proxy reports it); no cookies kept."""
    client.session.cookie_jar.clear()
    return client.post(
        "/logowanie",
        data={"username": username, "password": password or PASSWORDS[username]},
        headers={**origin(client), "X-Forwarded-For": f"6.6.6.6, {address}"},
        allow_redirects=False,
    )


async def admin_headers(client: Client) -> dict[str, str]:
    signed = await attempt(client, "root", ADMIN)
    assert signed.status == 303
    me = await (await client.get("/api/auth/me")).json()
    return {**origin(client), "X-CSRF-Token": me["csrf_token"], "X-Forwarded-For": ADMIN}


async def fail_until_locked(client: Client, clock: FakeClock, username: str) -> None:
    for n in range(RULES.lock_after):
        clock.advance(seconds=RULES.backoff_max_seconds)
        wrong = await attempt(client, username, ATTACKER, password=f"zgaduje-{n}")
        assert wrong.status == 401, n


async def test_attacker_address_cannot_lock_out_others_through_the_proxy(
    behind_proxy: App,
) -> None:
    application, client, clock = behind_proxy
    await fail_until_locked(client, clock, "agentka")
    clock.advance(seconds=RULES.backoff_max_seconds)
    refused = await attempt(client, "agentka", ATTACKER)
    assert refused.status == 429 and "Zbyt wiele nieudanych prób" in await refused.text()
    assert int(refused.headers["Retry-After"]) > RULES.backoff_max_seconds
    # The same user from her own address, and another user from another one: straight in.
    assert (await attempt(client, "agentka", OFFICIAL)).status == 303
    assert (await attempt(client, "szef", COLLEAGUE)).status == 303
    # Spraying many names from the attacker's address slows that address only, never for long.
    for n in range(20):
        clock.advance(seconds=RULES.backoff_max_seconds)
        assert (await attempt(client, f"nikt{n}", ATTACKER, password="x")).status == 401
    slowed = await attempt(client, "szef", ATTACKER)
    assert slowed.status == 429
    assert int(slowed.headers["Retry-After"]) <= RULES.backoff_max_seconds
    assert (await attempt(client, "szef", COLLEAGUE)).status == 303  # no wait elsewhere
    clock.advance(seconds=RULES.backoff_max_seconds)
    assert (await attempt(client, "szef", ATTACKER)).status == 303  # nor a lock there
    audit = await application[SERVICES].store.run(
        lambda db: [(e.action, e.ip) for e in db.scalars(select_audit())]
    )
    assert ("sign_in", OFFICIAL) in audit and ("sign_in", COLLEAGUE) in audit
    assert ("sign_in_locked", ATTACKER) in audit
    assert not any(ip == "127.0.0.1" or ip == "6.6.6.6" for _, ip in audit)


async def test_admin_sees_and_lifts_a_lock(behind_proxy: App) -> None:
    _, client, clock = behind_proxy
    await fail_until_locked(client, clock, "agentka")
    supervisor = await attempt(client, "szef", COLLEAGUE)
    assert supervisor.status == 303
    assert (await client.get("/api/admin/sign-in-locks")).status == 403
    headers = await admin_headers(client)
    listed = await (await client.get("/api/admin/sign-in-locks")).json()
    [lock] = listed["locks"]
    assert (lock["username"], lock["address"], lock["failures"]) == ("agentka", ATTACKER, 10)
    assert [s["address"] for s in listed["slowed"]] == [ATTACKER]
    page = await (await client.get("/admin")).text()
    assert "Blokady logowania" in page and f'data-lift-address="{ATTACKER}"' in page
    for bad in ({}, {"address": 7}, {"address": ATTACKER, "username": ""}, [ATTACKER]):
        response = await client.delete("/api/admin/sign-in-locks", json=bad, headers=headers)
        assert response.status == 400 and (await response.json())["error"] == "invalid_lock", bad
    nothing = await client.delete(
        "/api/admin/sign-in-locks", json={"address": COLLEAGUE, "username": "agentka"},
        headers=headers,
    )  # fmt: skip
    assert nothing.status == 404 and (await nothing.json())["error"] == "no_such_lock"
    for body in ({"address": ATTACKER, "username": "agentka"}, {"address": ATTACKER}):
        lifted = await client.delete("/api/admin/sign-in-locks", json=body, headers=headers)
        assert lifted.status == 200, await lifted.text()
    assert await (await client.get("/api/admin/sign-in-locks")).json() == {
        "locks": [], "slowed": []
    }  # fmt: skip
    entries = await (await client.get("/api/auth/audit")).json()
    unlocked = [e for e in entries if e["action"] == "sign_in_unlocked"]
    assert [(e["actor"], e["target"], e["ip"]) for e in unlocked] == [
        ("root", "", ADMIN), ("root", "agentka", ADMIN)
    ]  # fmt: skip
    assert [e["detail"]["kind"] for e in unlocked] == ["address", "pair"]
    assert any(e["action"] == "sign_in_locked" and e["target"] == "agentka" for e in entries)
    assert (await attempt(client, "agentka", ATTACKER)).status == 303  # lifted: straight in


async def test_an_untrusted_peers_forwarded_header_is_ignored(tmp_path: Path) -> None:
    async with running(tmp_path, CIC_AUTH__TRUSTED_PROXIES="10.9.9.9") as (app, client, _clock):
        for n in range(RULES.backoff_after):
            wrong = await attempt(client, "agentka", f"198.51.100.{n}", password="zle")
            assert wrong.status == 401
        # A new made-up address each time does not escape the peer's back-off.
        assert (await attempt(client, "szef", "198.51.100.99")).status == 429
        audit = await app[SERVICES].store.run(
            lambda db: {(e.action, e.ip) for e in db.scalars(select_audit()) if e.ip}
        )
        assert audit == {("sign_in_failed", "127.0.0.1"), ("sign_in_throttled", "127.0.0.1")}


@pytest.mark.parametrize(
    ("environ", "secure"),
    [
        ({}, False),
        ({"CIC_PUBLIC_URL": "https://sok.gmina.pl"}, True),
        ({"CIC_PUBLIC_URL": "https://sok.gmina.pl", "CIC_AUTH__COOKIE_SECURE": "false"}, False),
        ({"CIC_AUTH__COOKIE_SECURE": "true"}, True),
    ],
)
async def test_session_cookie_secure_flag_from_config(
    tmp_path: Path, environ: dict[str, str], secure: bool
) -> None:
    async with running(tmp_path, **environ) as (_, client, _clock):
        response = await attempt(client, "agentka", OFFICIAL)
        assert response.status == 303
        assert ("Secure" in response.headers["Set-Cookie"]) is secure


def select_audit() -> Select[tuple[AuditEntry]]:
    return select(AuditEntry).order_by(AuditEntry.id)
