"""The case register behind the real ``create_app`` and auth middleware (no Asterisk needed).

Sessions come from the real sign-in form, with CSRF tokens and Origin.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from cic.agents.models import Agent
from cic.auth import users
from cic.calls.models import Call
from cic.cases.plugin import CASES
from cic.cases.views import routes
from cic.config import load_settings
from cic.web.app import SERVICES, create_app
from tests.integration.harness import free_port
from tests.unit.test_auth_support import T0

PASSWORDS = {"agentka": "haslo-agentki-1", "spec": "haslo-specjalisty", "szef": "haslo-szefa-12"}
Client = TestClient[Any, Any]


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[tuple[web.Application, Client]]:
    settings = load_settings(
        environ={
            "CIC_STATE_DIR": str(tmp_path),
            "CIC_ASTERISK__AMI_PORT": str(free_port()),
            "CIC_ASTERISK__AGI_PORT": str(free_port()),
            "CIC_ASTERISK__INSTANCE": "cases-test",
        }
    )
    application = create_app(settings)
    async with TestClient(TestServer(application, host="127.0.0.1")) as client:

        def seed(db: Any) -> None:
            db.add(Agent(username="agentka", display_name="Agentka", endpoint="agent-agentka"))
            db.add_all([Call(call_id="1764.1", caller_number="48600000001",
                             agent="PJSIP/agent-agentka"), Call(call_id="1764.2")])  # fmt: skip
            db.flush()
            users.add(db, "agentka", "Agentka Testowa", "agent", PASSWORDS["agentka"],
                      agent_username="agentka", now=T0)  # fmt: skip
            users.add(db, "spec", "Specjalista Testowy", "specialist", PASSWORDS["spec"], now=T0)
            users.add(db, "szef", "Kierownik Testowy", "supervisor", PASSWORDS["szef"], now=T0)

        await application[SERVICES].store.run(seed)
        yield application, client


def origin(client: Client) -> dict[str, str]:
    return {"Origin": str(client.make_url("")).rstrip("/")}


async def sign_in(client: Client, username: str) -> dict[str, str]:
    """Sign in through the form; the headers (Origin, CSRF token) for unsafe requests."""
    client.session.cookie_jar.clear()
    response = await client.post(
        "/logowanie",
        data={"username": username, "password": PASSWORDS[username]},
        headers=origin(client),
        allow_redirects=False,
    )
    assert response.status == 303, await response.text()
    me = await (await client.get("/api/auth/me")).json()
    return {**origin(client), "X-CSRF-Token": str(me["csrf_token"])}


async def test_every_case_route_denies_without_sign_in(
    app: tuple[web.Application, Client],
) -> None:
    application, client = app
    checked = 0
    for route in routes(application[CASES]):
        url = route.path.replace("{id}", "1").replace("{signature}", "FN.3110.1.2026")
        response = await client.request(
            route.method, url, json={}, headers=origin(client), allow_redirects=False
        )
        checked += 1
        if not url.startswith("/api/"):  # a page: to the sign-in form
            assert response.status == 302 and response.headers["Location"].startswith(
                "/logowanie"
            ), url
            continue
        assert response.status == 401, url
        assert (await response.json())["error"] == "not_signed_in"
    assert checked == 17  # /api/openapi.json is the whole app's now (cic.web.api_docs)


async def test_report_call_and_case_with_real_sessions(
    app: tuple[web.Application, Client],
) -> None:
    application, client = app
    agent = await sign_in(client, "agentka")
    created = await client.post(
        "/api/zgloszenia",
        json={"topic": "Podatek od nieruchomości", "note": "Prośba o raty.", "call_id": "1764.1"},
        headers=agent,
    )
    assert created.status == 201
    report = await created.json()
    no_csrf = await client.post("/api/zgloszenia", json={"topic": "x"}, headers=origin(client))
    assert no_csrf.status == 403
    case = {"unit": "FN", "jrwa": "3110", "title": "Raty podatku"}
    refused = await client.post(f"/api/zgloszenia/{report['id']}/sprawa", json=case, headers=agent)
    assert refused.status == 403 and (await refused.json())["error"] == "forbidden"
    assert (await client.post("/api/sprawy", json=case, headers=agent)).status == 403

    specialist = await sign_in(client, "spec")
    registered = await client.post(
        f"/api/zgloszenia/{report['id']}/sprawa", json=case, headers=specialist
    )
    assert registered.status == 201
    receipt = await registered.json()
    signature = receipt["signature"]
    assert signature.startswith("FN.3110.1.") and len(receipt["pin"]) == 6
    linked = await client.post(
        f"/api/sprawy/{signature}/calls", json={"call_id": "1764.2"}, headers=specialist
    )
    assert linked.status == 200

    await sign_in(client, "agentka")
    metryka = await (await client.get(f"/api/sprawy/{signature}/metryka")).json()
    assert [m["document_id"] for m in metryka if m["action"] == "rozmowa"] == ["1764.1", "1764.2"]
    by_call = await (await client.get("/api/sprawy", params={"call_id": "1764.2"})).json()
    assert [c["signature"] for c in by_call] == [signature]

    token = application[SERVICES].credentials.api_token
    bearer = {"Authorization": f"Bearer {token}"}
    by_token = await client.post("/api/sprawy", json=case, headers=bearer)
    assert by_token.status == 201 and (await by_token.json())["registered_by"] == "api"
    spec = await (await client.get("/api/openapi.json", headers=bearer)).json()
    assert "/api/sprawy/{signature}/metryka" in spec["paths"] and "/api/kb/search" in spec["paths"]
