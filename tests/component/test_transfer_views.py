"""The transfers API through a real aiohttp server: roles, own call only, 409 in Polish."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from cic.auth.roles import USER_KEY
from cic.auth.sessions import CurrentUser
from cic.db import Store
from cic.web.errors import error_middleware
from tests.component.test_transfer_service import ANNA, BOB, World

USERS = {
    "anna": CurrentUser(1, "anna", "Anna", "agent", 11),
    "bob": CurrentUser(2, "bob", "Bob", "specialist", 12),
    "kierownik": CurrentUser(3, "kierownik", "Kierownik", "supervisor", None),
}
INTERFACES = {11: ANNA, 12: BOB}


@web.middleware
async def as_user(request: web.Request, handler: Any) -> web.StreamResponse:
    """Stands in for the auth middleware: the user named in the X-User header."""
    user = USERS.get(request.headers.get("X-User", ""))
    if user is not None:
        request[USER_KEY] = user
    return await handler(request)


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    store = Store(f"sqlite:///{tmp_path / 'cic.db'}")
    store.migrate()
    w = World(store)
    yield w
    await w.bus.close()
    await store.close()


@pytest.fixture
async def client(world: World) -> AsyncIterator[TestClient[Any, Any]]:
    from cic.transfers.views import routes

    async def interface_of(agent_id: int | None) -> str | None:
        return INTERFACES.get(agent_id or 0)

    app = web.Application(middlewares=[error_middleware(), as_user])
    app.add_routes(routes(world.service, interface_of))
    async with TestClient(TestServer(app)) as client:
        yield client


CONSULT = {"kind": "consult", "target": {"agent": "bob"}, "note": "Zażółć <b>gęślą</b>"}


async def test_agent_consults_completes_and_lists(
    world: World, client: TestClient[Any, Any]
) -> None:
    started = await client.post("/api/calls/c1/transfer", json=CONSULT, headers={"X-User": "anna"})
    assert started.status == 201
    body = await started.json()
    assert body["state"] == "consulting" and body["note"] == CONSULT["note"]
    assert body["requested_by"] == "anna"
    again = await client.post("/api/calls/c1/transfer", json=CONSULT, headers={"X-User": "anna"})
    assert again.status == 409
    refused = await again.json()
    assert refused["error"] == "transfer_in_progress" and "przekazywane" in refused["message"]
    done = await client.post("/api/calls/c1/transfer/complete", headers={"X-User": "anna"})
    assert done.status == 200 and (await done.json())["state"] == "completing"
    listed = await client.get("/api/calls/c1/transfers", headers={"X-User": "bob"})
    assert listed.status == 200  # the colleague sees the transfer offered to them
    [transfer] = await listed.json()
    assert transfer["legs"][0]["step"] == "requested"


async def test_only_own_call_unless_supervisor(client: TestClient[Any, Any]) -> None:
    other = await client.post("/api/calls/c1/transfer", json=CONSULT, headers={"X-User": "bob"})
    assert other.status == 403 and (await other.json())["error"] == "not_your_call"
    anonymous = await client.post("/api/calls/c1/transfer", json=CONSULT)
    assert anonymous.status == 401
    blind = {"kind": "blind", "target": {"queue": "finanse"}}
    boss = await client.post("/api/calls/c1/transfer", json=blind, headers={"X-User": "kierownik"})
    assert boss.status == 201 and (await boss.json())["state"] == "blind"
    listed = await client.get("/api/calls/c1/transfers", headers={"X-User": "bob"})
    assert await listed.json() == []  # a blind transfer to a queue does not involve bob


async def test_bad_bodies_are_400_and_unknown_commands_409(client: TestClient[Any, Any]) -> None:
    anna = {"X-User": "anna"}
    for body in ([], {"kind": "consult"}, {**CONSULT, "note": 5}, {**CONSULT, "kind": "x"}):
        response = await client.post("/api/calls/c1/transfer", json=body, headers=anna)
        assert response.status == 400, body
        assert (await response.json())["error"] == "invalid_transfer"
    nothing = await client.post("/api/calls/c1/transfer/cancel", headers=anna)
    assert nothing.status == 409 and (await nothing.json())["error"] == "no_open_transfer"
    gone = await client.post("/api/calls/zzz/transfer", json=CONSULT, headers=anna)
    assert gone.status == 409 and (await gone.json())["error"] == "call_not_live"
