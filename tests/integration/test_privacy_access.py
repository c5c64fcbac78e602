"""Residents' rights through the real ``create_app(settings)`` and real sign-in (no Asterisk
needed): the data protection officer lands on /rodo, needs the CSRF token like everyone, and
staff roles are refused."""

from __future__ import annotations

import io
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from cic.auth import users
from cic.auth.models import AuditEntry
from cic.config import load_settings
from cic.residents.schemas import NewResident
from cic.web.app import SERVICES, create_app
from tests.integration.harness import free_port
from tests.integration.test_access import origin
from tests.unit.test_auth_support import T0

PASSWORDS = {"iod": "haslo-inspektora-1", "szef": "haslo-szefa-12", "konsultantka": "haslo-k-123"}
Client = TestClient[Any, Any]


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[tuple[web.Application, Client]]:
    settings = load_settings(
        environ={
            "CIC_STATE_DIR": str(tmp_path),
            "CIC_ASTERISK__AMI_PORT": str(free_port()),
            "CIC_ASTERISK__AGI_PORT": str(free_port()),
            "CIC_ASTERISK__INSTANCE": "privacy-test",
            "CIC_SPEECH__ENABLED": "false",
        }
    )
    application = create_app(settings)
    async with TestClient(TestServer(application, host="127.0.0.1")) as client:
        store = application[SERVICES].store

        def seed(db: Any) -> None:
            users.add(db, "iod", "Inspektor Danych", "iod", PASSWORDS["iod"], now=T0)
            users.add(db, "szef", "Jan Nowak", "supervisor", PASSWORDS["szef"], now=T0)
            users.add(db, "konsultantka", "Ala", "agent", PASSWORDS["konsultantka"], now=T0)

        await store.run(seed)
        await application[SERVICES].residents.create(
            NewResident.model_validate({"name": "Anna Testowa", "numbers": ["600000001"]}), "test"
        )
        yield application, client


async def sign_in(client: Client, username: str) -> tuple[str, str]:
    """Sign in; returns where the sign-in sent us and the session's CSRF token."""
    client.session.cookie_jar.clear()
    response = await client.post(
        "/logowanie",
        data={"username": username, "password": PASSWORDS[username]},
        headers=origin(client),
        allow_redirects=False,
    )
    assert response.status == 303, await response.text()
    me = await (await client.get("/api/auth/me")).json()
    return response.headers["Location"], str(me["csrf_token"])


async def test_the_officer_lands_on_rodo_and_exports_with_the_csrf_token(
    app: tuple[web.Application, Client],
) -> None:
    application, client = app
    home, token = await sign_in(client, "iod")
    assert home == "/rodo"
    page = await client.get("/rodo")
    assert page.status == 200 and "Rejestr czynności przetwarzania" in await page.text()
    assert "inspektor ochrony danych" in await page.text()
    for path in ("/konsola", "/sprawy", "/api/residents?q=Anna"):
        assert (await client.get(path, allow_redirects=False)).status == 403, path
    url = "/api/privacy/residents/1/export"
    refused = await client.post(url, headers=origin(client))
    assert refused.status == 403 and (await refused.json())["error"] == "csrf_rejected"
    archive = await client.post(url, headers={**origin(client), "X-CSRF-Token": token})
    assert archive.status == 200
    names = zipfile.ZipFile(io.BytesIO(await archive.read())).namelist()
    assert "mieszkaniec.json" in names and "README.txt" in names
    plan = await client.post(
        "/api/privacy/residents/1/erasure",
        json={"execute": False},
        headers={**origin(client), "X-CSRF-Token": token},
    )
    assert plan.status == 200 and (await plan.json())["wykonano"] is False
    entries = await application[SERVICES].store.run(
        lambda s: s.execute(select(AuditEntry.actor, AuditEntry.action, AuditEntry.target)).all()
    )
    assert ("iod", "privacy_export", "1") in entries
    assert ("iod", "privacy_erasure_planned", "1") in entries


@pytest.mark.parametrize("username", ["szef", "konsultantka"])
async def test_staff_cannot_reach_residents_rights(
    app: tuple[web.Application, Client], username: str
) -> None:
    _, client = app
    _, token = await sign_in(client, username)
    headers = {**origin(client), "X-CSRF-Token": token}
    assert (await client.get("/rodo", allow_redirects=False)).status == 403
    for path in ("export", "erasure", "rectification"):
        response = await client.post(
            f"/api/privacy/residents/1/{path}", json={"name": "X"}, headers=headers
        )
        assert response.status == 403 and (await response.json())["error"] == "forbidden"
    assert (await client.get("/api/privacy/register")).status == 403
