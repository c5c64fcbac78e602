"""The wallboard and wrap-ups through the real app: who may see and save what."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aiohttp import WSServerHandshakeError, web

from cic.auth import users
from cic.events import CallAnswered, CallEntered, CallQueued
from cic.web.app import SERVICES
from tests.integration.test_access import Client, app, origin, sign_in  # noqa: F401 - fixture
from tests.unit.test_auth_support import T0, FakeClock

AppFixture = tuple[web.Application, Client, FakeClock]
NOTE = "Pan pyta o <script>alert(1)</script> „podatek” 😀 " + "ż" * 200


async def test_wallboard_is_for_supervisors_live_over_websocket(app: AppFixture) -> None:  # noqa: F811
    application, client, _ = app
    await sign_in(client, "agentka")
    assert (await client.get("/nadzor", allow_redirects=False)).status == 403
    assert (await client.get("/api/wallboard")).status == 403
    await client.post("/wylogowanie", headers=origin(client))
    client.session.cookie_jar.clear()
    await sign_in(client, "szef")
    page = await client.get("/nadzor")
    assert page.status == 200 and "Tablica nadzoru" in await page.text()
    try:
        await client.ws_connect("/ws/wallboard", headers={"Origin": "http://evil.example"})
    except WSServerHandshakeError as exc:
        assert exc.status == 403
    else:  # pragma: no cover - the failure
        raise AssertionError("a websocket from another origin was accepted")
    services = application[SERVICES]
    async with client.ws_connect("/ws/wallboard", headers=origin(client)) as ws:
        first = await ws.receive_json(timeout=5)
        assert first["topic"] == "wallboard"
        now = datetime.now(UTC)
        await services.calls.apply(
            CallEntered(now, "w1", "PJSIP/residents-9", "48500100400", "", "1000")
        )
        await services.calls.apply(CallQueued(now, "w1", "pierwsza-linia", 1))
        for _ in range(10):
            update = await ws.receive_json(timeout=5)
            queues = update["message"]["queues"]
            if queues and queues[0]["waiting"] == 1:
                break
        else:  # pragma: no cover - the failure
            raise AssertionError(f"the queued call never reached the wallboard: {update}")


async def test_wrapup_by_the_agent_who_answered_or_a_supervisor(app: AppFixture) -> None:  # noqa: F811
    application, client, _ = app
    services = application[SERVICES]
    await services.agents.ensure_queue("pierwsza-linia", "Pierwsza linia")
    await services.agents.create_agent("ag1", "Agentka Jeden", queues=["pierwsza-linia"])

    def link(db: Any) -> None:
        users.add(db, "ag1user", "Agentka Jeden", "agent", "haslo-ag1-123", agent_username="ag1",
                  now=T0)  # fmt: skip

    await services.store.run(link)
    await services.calls.apply(
        CallEntered(T0, "c9", "PJSIP/residents-1", "48500100401", "", "1000")
    )
    await services.calls.apply(CallAnswered(T0, "c9", "pierwsza-linia", "PJSIP/agent-ag1", 4.0))
    body = {"outcome": "oddzwonić", "topic": "podatek od nieruchomości", "note": NOTE}

    csrf = await sign_in(client, "agentka")  # an agent, but not the one who answered
    headers = {**origin(client), "X-CSRF-Token": csrf}
    assert (await client.post("/api/calls/c9/wrapup", json=body, headers=headers)).status == 403
    await client.post("/wylogowanie", headers=headers)
    client.session.cookie_jar.clear()

    from tests.integration import test_access

    test_access.PASSWORDS["ag1user"] = "haslo-ag1-123"
    csrf = await sign_in(client, "ag1user")
    headers = {**origin(client), "X-CSRF-Token": csrf}
    no_token = await client.post("/api/calls/c9/wrapup", json=body, headers=origin(client))
    assert no_token.status == 403
    bad = await client.post("/api/calls/c9/wrapup", json={**body, "outcome": "x"}, headers=headers)
    assert bad.status == 400
    saved = await client.post("/api/calls/c9/wrapup", json=body, headers=headers)
    assert saved.status == 201, await saved.text()
    [wrapup] = await (await client.get("/api/calls/c9/wrapups")).json()
    assert (wrapup["note"], wrapup["saved_by"], wrapup["agent"]) == (
        NOTE,
        "ag1user",
        "PJSIP/agent-ag1",
    )
