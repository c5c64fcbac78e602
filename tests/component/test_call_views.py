"""The calls JSON API through a real aiohttp server (TestServer/TestClient)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from cic import events as ev
from cic.auth.roles import USER_KEY
from cic.auth.sessions import CurrentUser
from cic.bus import InProcessBus
from cic.calls.service import CallService
from cic.calls.views import routes, setup_routes
from cic.db import Store, migrate
from cic.web.errors import error_middleware

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
ODD = "'; DROP TABLE calls;-- <script>Zażółć</script>"


@pytest.fixture
async def service(db_url: str) -> AsyncIterator[CallService]:
    migrate(db_url)
    store = Store(db_url)
    bus = InProcessBus()
    yield CallService(store, bus)
    await bus.close()
    await store.close()


@web.middleware
async def as_supervisor(request: web.Request, handler: Any) -> web.StreamResponse:
    """The auth middleware's job in the real app; these tests are about the calls API."""
    request[USER_KEY] = CurrentUser(1, "kierownik", "Kierownik", "supervisor", None)
    return await handler(request)


@pytest.fixture
async def client(service: CallService) -> AsyncIterator[TestClient[Any, Any]]:
    app = web.Application(middlewares=[error_middleware(), as_supervisor])
    setup_routes(app, service)
    async with TestClient(TestServer(app)) as client:
        yield client


async def add_calls(service: CallService, count: int) -> None:
    for n in range(count):
        await service.apply(ev.CallEntered(T0, f"1764493200.{n}", "PJSIP/t", ODD, ODD, "1000"))


async def test_list_calls(service: CallService, client: TestClient[Any, Any]) -> None:
    await add_calls(service, 3)
    response = await client.get("/api/calls")
    assert response.status == 200
    calls = await response.json()
    assert [c["call_id"] for c in calls] == ["1764493200.2", "1764493200.1", "1764493200.0"]
    assert calls[0]["caller_name"] == ODD
    page = await (await client.get("/api/calls", params={"limit": "1", "offset": "1"})).json()
    assert [c["call_id"] for c in page] == ["1764493200.1"]
    since = await client.get("/api/calls", params={"since": "2026-11-30T10:00:00+01:00"})
    assert len(await since.json()) == 3


@pytest.mark.parametrize(
    "query",
    [{"limit": "abc"}, {"limit": "0"}, {"limit": "100000"}, {"offset": "-1"}, {"since": "wczoraj"}],
)
async def test_bad_query_is_a_json_400(client: TestClient[Any, Any], query: dict[str, str]) -> None:
    response = await client.get("/api/calls", params=query)
    assert response.status == 400
    body = await response.json()
    assert body["error"] == "invalid_query" and "Parametr" in body["message"]


async def test_get_call(service: CallService, client: TestClient[Any, Any]) -> None:
    await add_calls(service, 1)
    await service.apply(ev.CallEnded(T0, "1764493200.0", "16", 0.0))
    response = await client.get("/api/calls/1764493200.0")
    assert response.status == 200
    call = await response.json()
    assert call["outcome"] == "unanswered" and call["caller_number"] == ODD
    assert [e["type"] for e in call["timeline"]] == ["CallEntered", "CallEnded"]
    assert call["recordings"] == []


async def test_unknown_call_is_a_json_404_in_polish(client: TestClient[Any, Any]) -> None:
    response = await client.get("/api/calls/nie-ma")
    assert response.status == 404
    assert response.content_type == "application/json"
    body = await response.json()
    assert body["error"] == "call_not_found"
    assert body["message"].startswith("Nie znaleziono połączenia")


def test_routes_are_plain_route_defs(service: CallService) -> None:
    paths = sorted(r.path for r in routes(service))  # type: ignore[attr-defined]
    assert paths == ["/api/calls", "/api/calls/{call_id}"]


async def test_database_down_is_a_json_503() -> None:
    store = Store("postgresql://postgres@127.0.0.1:1/nothing")
    app = web.Application(middlewares=[error_middleware(), as_supervisor])
    setup_routes(app, CallService(store, InProcessBus()))
    async with TestClient(TestServer(app)) as client:
        response = await client.get("/api/calls")
        assert response.status == 503
        assert (await response.json())["error"] == "store_unavailable"
    await store.close()
