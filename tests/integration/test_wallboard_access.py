"""The wallboard's supervisor actions through the real app: who may log out or unpause whom.

The page's buttons call ``POST /api/agents/{username}/logout|unpause``: an agent may change only
their own presence, a supervisor anyone's, and every such request needs the session's CSRF token.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from cic.auth import users
from cic.web.app import SERVICES
from tests.integration import test_access
from tests.integration.test_access import Client, app, origin, sign_in  # noqa: F401 - fixture
from tests.unit.test_auth_support import T0, FakeClock

AppFixture = tuple[web.Application, Client, FakeClock]
QUEUE = "pierwsza-linia"


async def _two_agents_and_linked_user(application: web.Application) -> None:
    services = application[SERVICES]
    await services.agents.ensure_queue(QUEUE, "Pierwsza linia")
    await services.agents.create_agent("wb-ala", "Ala Konsultantka", queues=[QUEUE])
    await services.agents.create_agent("wb-olek", "Olek Konsultant", queues=[QUEUE])

    def link(db: Any) -> None:
        users.add(db, "ala", "Ala Konsultantka", "agent", "haslo-ali-1234", agent_username="wb-ala",
                  now=T0)  # fmt: skip

    await services.store.run(link)
    test_access.PASSWORDS["ala"] = "haslo-ali-1234"


async def test_agent_cannot_log_out_or_unpause_another_agent(app: AppFixture) -> None:  # noqa: F811
    application, client, _ = app
    await _two_agents_and_linked_user(application)
    csrf = await sign_in(client, "ala")
    headers = {**origin(client), "X-CSRF-Token": csrf}
    for action in ("logout", "unpause", "login"):
        response = await client.post(f"/api/agents/wb-olek/{action}", json={}, headers=headers)
        assert response.status == 403, (action, await response.text())
        body = await response.json()
        assert body["error"] == "forbidden" and "własny" in body["message"], body
    pause = await client.post(
        "/api/agents/wb-olek/pause", json={"reason": "przerwa"}, headers=headers
    )
    assert pause.status == 403
    # The wallboard itself is not hers either.
    assert (await client.get("/nadzor", allow_redirects=False)).status == 403
    # An agent without a linked phone is refused the same way.
    await client.post("/wylogowanie", headers=headers)
    client.session.cookie_jar.clear()
    csrf = await sign_in(client, "agentka")
    refused = await client.post(
        "/api/agents/wb-ala/logout", json={}, headers={**origin(client), "X-CSRF-Token": csrf}
    )
    assert refused.status == 403


async def test_supervisor_may_act_on_anyone_with_the_page_csrf_token(app: AppFixture) -> None:  # noqa: F811
    application, client, _ = app
    await _two_agents_and_linked_user(application)
    csrf = await sign_in(client, "szef")
    page = await (await client.get("/nadzor")).text()
    assert f'<meta name="csrf-token" content="{csrf}">' in page
    assert "Działania" in page and "/static/js/wallboard.js" in page
    no_token = await client.post("/api/agents/wb-olek/logout", json={}, headers=origin(client))
    assert no_token.status == 403 and (await no_token.json())["error"] == "csrf_rejected"
    headers = {**origin(client), "X-CSRF-Token": csrf}
    for action in ("logout", "unpause"):
        response = await client.post(f"/api/agents/wb-olek/{action}", json={}, headers=headers)
        # Past the permission check: with no Asterisk here the PBX refuses, as JSON in Polish.
        assert response.status != 403, (action, await response.text())
        body = await response.json()
        if response.status != 200:
            assert response.status == 503 and body["error"] == "pbx_unavailable", body
    missing = await client.post("/api/agents/nie-ma-takiego/logout", json={}, headers=headers)
    assert missing.status == 404 and (await missing.json())["error"] == "agent_not_found"
