"""The wallboard websocket: snapshot first, then live bus messages; other origins refused."""

from __future__ import annotations

from aiohttp import WSServerHandshakeError, web
from aiohttp.test_utils import TestClient, TestServer

from cic.bus import InProcessBus
from cic.wallboard import views
from cic.wallboard.service import Wallboard


async def allow(_request: web.Request) -> None:
    return None


async def refuse(_request: web.Request) -> None:
    raise web.HTTPForbidden()


async def make_client(guard: views.Guard) -> tuple[TestClient, InProcessBus]:
    bus = InProcessBus()
    app = web.Application()
    app.add_routes(views.routes(Wallboard(), bus, guard))
    client = TestClient(TestServer(app))
    await client.start_server()
    return client, bus


async def test_snapshot_then_live_messages() -> None:
    client, bus = await make_client(allow)
    try:
        origin = f"http://{client.host}:{client.port}"
        async with client.ws_connect("/ws/wallboard", headers={"Origin": origin}) as ws:
            first = await ws.receive_json(timeout=5)
            assert first["topic"] == "wallboard" and first["message"]["queues"] == []
            await bus.publish("wallboard", {"queues": [{"queue": "pierwsza-linia", "waiting": 2}]})
            update = await ws.receive_json(timeout=5)
            assert update["message"]["queues"][0]["waiting"] == 2
    finally:
        await client.close()
        await bus.close()


async def test_other_origin_and_guard_refusal() -> None:
    client, bus = await make_client(allow)
    try:
        for headers in ({"Origin": "http://evil.example"}, {}):
            try:
                await client.ws_connect("/ws/wallboard", headers=headers)
            except WSServerHandshakeError as exc:
                assert exc.status == 403
            else:  # pragma: no cover - the failure
                raise AssertionError(f"websocket accepted with {headers}")
    finally:
        await client.close()
        await bus.close()
    client, bus = await make_client(refuse)
    try:
        response = await client.get("/api/wallboard")
        assert response.status == 403
    finally:
        await client.close()
        await bus.close()
