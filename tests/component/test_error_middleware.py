"""The error middleware: every domain error answered in one place, JSON for the API and JSON
clients, the Polish error page for a browser, a database outage as 503 (never a 500)."""

from __future__ import annotations

import sqlite3

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.exc import OperationalError

from cic.asterisk.actions import PbxError
from cic.errors import CicError
from cic.web.errors import error_middleware


class Missing(CicError):
    status = 404
    error_id = "nie_ma"
    default_message = "Nie ma takiej sprawy."


def app() -> web.Application:
    async def missing(_request: web.Request) -> web.StreamResponse:
        raise Missing()

    async def pbx(_request: web.Request) -> web.StreamResponse:
        raise PbxError("QueuePause", "AMI is not connected")

    async def database(_request: web.Request) -> web.StreamResponse:
        raise OperationalError("SELECT 1", {}, sqlite3.OperationalError("database is locked"))

    async def bug(_request: web.Request) -> web.StreamResponse:
        raise KeyError("a bug, not an outage")

    application = web.Application(middlewares=[error_middleware()])
    for prefix in ("/api", ""):
        application.router.add_get(f"{prefix}/missing", missing)
        application.router.add_get(f"{prefix}/pbx", pbx)
        application.router.add_get(f"{prefix}/database", database)
        application.router.add_get(f"{prefix}/bug", bug)
    return application


async def test_api_errors_are_json_with_status_and_id() -> None:
    async with TestClient(TestServer(app())) as client:
        missing = await client.get("/api/missing")
        assert missing.status == 404
        assert await missing.json() == {"error": "nie_ma", "message": "Nie ma takiej sprawy."}
        pbx = await client.get("/api/pbx")
        body = await pbx.json()
        assert pbx.status == 503 and body["error"] == "pbx_unavailable"
        assert body["message"] == "Centrala niedostępna: QueuePause: AMI is not connected"
        database = await client.get("/api/database")
        assert database.status == 503
        assert (await database.json())["error"] == "store_unavailable"
        assert (await client.get("/api/bug")).status == 500  # a bug stays a bug


async def test_pages_get_the_polish_error_page_and_json_clients_json() -> None:
    async with TestClient(TestServer(app())) as client:
        page = await client.get("/missing", headers={"Accept": "text/html"})
        assert page.status == 404 and page.content_type == "text/html"
        assert "Nie ma takiej sprawy." in await page.text()
        outage = await client.get("/database", headers={"Accept": "text/html"})
        assert outage.status == 503 and "chwilowo niedostępna" in await outage.text()
        wants_json = await client.get("/missing", headers={"Accept": "application/json"})
        assert (await wants_json.json())["error"] == "nie_ma"
