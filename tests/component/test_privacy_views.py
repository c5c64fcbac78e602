"""The privacy API and page through a real aiohttp server: only the data protection officer
(``iod``) and admins get in; refused requests change nothing; odd input gets Polish 4xx."""

from __future__ import annotations

import io
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from cic.db import Store
from cic.privacy import views
from cic.privacy.service import PrivacyService
from cic.residents.service import ResidentService
from cic.web.errors import error_middleware
from tests.component import privacy_world
from tests.component.privacy_world import World, settings_for, snapshot
from tests.component.test_kb_views import as_, fake_auth

Client = TestClient[Any, Any]
STAFF = ("agent", "specialist", "supervisor")


@pytest.fixture
async def site(tmp_path: Path) -> AsyncIterator[tuple[Client, World, PrivacyService]]:
    store = Store(f"sqlite:///{tmp_path / 'cic.db'}")
    store.migrate()
    built = await privacy_world.build(store, tmp_path / "recordings")
    service = PrivacyService(store, settings_for(tmp_path), tmp_path / "recordings")
    app = web.Application(middlewares=[error_middleware(), fake_auth])
    app.add_routes(views.routes(service, ResidentService(store).search))
    async with TestClient(TestServer(app)) as client:
        yield client, built, service
    await store.close()


def requests(anna: int) -> list[tuple[str, str, dict[str, Any]]]:
    api = f"/api/privacy/residents/{anna}"
    return [
        ("GET", "/rodo", {}),
        ("POST", "/rodo/szukaj", {"data": {"q": "Anna"}}),
        ("POST", "/rodo/eksport", {"data": {"resident_id": str(anna)}}),
        ("POST", "/rodo/usuniecie", {"data": {"resident_id": str(anna), "execute": "1"}}),
        ("GET", "/api/privacy/register", {}),
        ("POST", f"{api}/export", {}),
        ("POST", f"{api}/rectification", {"json": {"name": "Ktoś Inny"}}),
        ("POST", f"{api}/erasure", {"json": {"execute": True}}),
    ]


@pytest.mark.parametrize("role", [None, *STAFF])
async def test_staff_and_strangers_are_refused_and_nothing_changes(
    site: tuple[Client, World, PrivacyService], role: str | None
) -> None:
    client, built, service = site
    before = snapshot(service.store, skip=())
    for method, path, kwargs in requests(built.residents["anna"]):
        headers = {**(as_(role) if role else {}), "Accept": "application/json"}
        response = await client.request(method, path, headers=headers, **kwargs)
        assert response.status == (403 if role else 401), (role, path)
        assert (await response.json())["error"] == ("forbidden" if role else "not_signed_in")
    assert snapshot(service.store, skip=()) == before
    assert all(f.exists() for files in built.files.values() for f in files)
    assert not service.workdir.exists()


@pytest.mark.parametrize("role", ["iod", "admin"])
async def test_the_officer_and_admins_export_through_the_api(
    site: tuple[Client, World, PrivacyService], role: str
) -> None:
    client, built, service = site
    response = await client.post(
        f"/api/privacy/residents/{built.residents['bogdan']}/export", headers=as_(role)
    )
    assert response.status == 200 and response.content_type == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    archive = zipfile.ZipFile(io.BytesIO(await response.read()))
    assert f"rozmowy/{built.calls['b1']}/nagranie.wav" in archive.namelist()
    assert list(service.workdir.iterdir()) == []  # the temporary file is gone
    register = await (await client.get("/api/privacy/register", headers=as_(role))).json()
    assert {a["id"] for a in register["activities"]} >= {"nagrywanie-rozmow", "rejestr-spraw"}


async def test_the_page_finds_exports_and_plans_erasure_for_the_officer(
    site: tuple[Client, World, PrivacyService],
) -> None:
    client, built, service = site
    iod = as_("iod")
    page = await (await client.get("/rodo", headers=iod)).text()
    assert "Rejestr czynności przetwarzania" in page and "Nagrywanie rozmów" in page
    assert "180 dni" in page and "iod@gmina.example" in page
    found = await (await client.post("/rodo/szukaj", data={"q": "Testowa"}, headers=iod)).text()
    assert "Anna Testowa" in found and "+48600000001" in found and "Bogdan" not in found
    archive = await client.post("/rodo/eksport", data={"resident_id": "3"}, headers=iod)
    assert (
        archive.status == 200
        and zipfile.ZipFile(io.BytesIO(await archive.read())).testzip() is None
    )
    before = snapshot(service.store)
    anna = str(built.residents["anna"])
    plan = await client.post(
        "/rodo/usuniecie", data={"resident_id": anna, "execute": "0"}, headers=iod
    )
    text = await plan.text()
    assert plan.status == 200 and "Plan usunięcia" in text and "blokadą prawną" in text
    assert 'name="execute" value="1"' in text
    assert snapshot(service.store) == before
    done = await client.post(
        "/rodo/usuniecie", data={"resident_id": anna, "execute": "1"}, headers=iod
    )
    assert "Wykonano usunięcie" in await done.text()
    assert not built.files["a1"][0].exists()


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status", "error"),
    [
        ("POST", "/api/privacy/residents/abc/export", {}, 404, "resident_not_found"),
        ("POST", "/api/privacy/residents/0/export", {}, 404, "resident_not_found"),
        ("POST", "/api/privacy/residents/999999/export", {}, 404, "resident_not_found"),
        (
            "POST",
            "/api/privacy/residents/1/rectification",
            {"data": "[1]"},
            400,
            "invalid_privacy_request",
        ),
        (
            "POST",
            "/api/privacy/residents/1/rectification",
            {"json": {"pesel": "x"}},
            400,
            "invalid_privacy_request",
        ),
        (
            "POST",
            "/api/privacy/residents/1/rectification",
            {"json": {"name": ""}},
            400,
            "invalid_privacy_request",
        ),
        (
            "POST",
            "/api/privacy/residents/1/rectification",
            {"json": {"parties": [{"id": True, "name": "x"}]}},
            400,
            "invalid_privacy_request",
        ),
        (
            "POST",
            "/api/privacy/residents/1/erasure",
            {"json": {"execute": "tak"}},
            400,
            "invalid_privacy_request",
        ),
        (
            "POST",
            "/api/privacy/residents/1/erasure",
            {"data": "nie json"},
            400,
            "invalid_privacy_request",
        ),
    ],
)
async def test_odd_input_gets_polish_errors_and_changes_nothing(
    site: tuple[Client, World, PrivacyService],
    method: str,
    path: str,
    kwargs: dict[str, Any],
    status: int,
    error: str,
) -> None:
    client, _, service = site
    before = snapshot(service.store)
    response = await client.request(method, path, headers=as_("iod"), **kwargs)
    body = await response.json()
    assert (response.status, body["error"]) == (status, error)
    assert body["message"]
    assert snapshot(service.store) == before


async def test_the_page_refuses_a_bad_id_in_polish(
    site: tuple[Client, World, PrivacyService],
) -> None:
    client, _, _ = site
    response = await client.post("/rodo/eksport", data={"resident_id": "../1"}, headers=as_("iod"))
    assert response.status == 404 and "Podaj numer (id) mieszkańca" in await response.text()
