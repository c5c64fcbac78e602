"""The knowledge-base API and page through a real aiohttp server with signed-in users."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from cic.auth.errors import AuthError
from cic.auth.roles import USER_KEY
from cic.auth.sessions import CurrentUser
from cic.auth.templates import error_response
from cic.db import Store, migrate
from cic.kb.plugin import KB as KB_KEY
from cic.kb.plugin import KbDeps, install
from cic.kb.search import Document, SearchIndex
from cic.kb.service import KbService
from cic.kb.views import routes
from cic.supervisor import Supervisor
from cic.web.errors import error_middleware

Client = TestClient[Any, Any]
KB = Path(__file__).resolve().parents[2] / "kb"
ARTICLE = """---
id: {slug}
title: "{title}"
department: GK
topics: [drogi, oswietlenie]
keywords: [latarnia nie świeci, oświetlenie uliczne]
updated: 2026-11-28
needs_local_check: false
---
## Czego dotyczy

{body}

## Gdzie załatwić

**GK — Referat Gospodarki Komunalnej.**
"""
EVIL = (
    '<script>alert("x")</script> Latarnia <img src=x onerror=alert(1)> [link](javascript:alert(1))'
)


@web.middleware
async def fake_auth(request: web.Request, handler: Any) -> web.StreamResponse:
    """Stands in for the real auth middleware: the role comes from a test header."""
    role = request.headers.get("X-Test-Role")
    if role:
        request[USER_KEY] = CurrentUser(7, f"u-{role}", f"Użytkownik {role}", role, None)
    try:
        return await handler(request)
    except AuthError as exc:
        return error_response(request, exc)


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[Client]:
    directory = tmp_path / "kb" / "drogi"
    directory.mkdir(parents=True)
    (directory / "latarnia.md").write_text(
        ARTICLE.format(slug="latarnia", title="Nie świeci latarnia", body=EVIL), encoding="utf-8"
    )
    (directory / "dziura.md").write_text(
        ARTICLE.format(slug="dziura", title="Dziura w drodze", body="Zgłoś wyrwę w jezdni."),
        encoding="utf-8",
    )
    url = f"sqlite:///{tmp_path / 'cic.db'}"
    migrate(url)
    store = Store(url)
    service = KbService(store, tmp_path / "kb")
    await service.load()
    app = web.Application(middlewares=[error_middleware(), fake_auth])
    app.add_routes(routes(service))
    async with TestClient(TestServer(app)) as client:
        yield client
    await store.close()


def as_(role: str) -> dict[str, str]:
    return {"X-Test-Role": role}


async def test_search_for_any_signed_in_role(client: Client) -> None:
    for role in ("agent", "specialist", "supervisor", "admin"):
        response = await client.get(
            "/api/kb/search", params={"q": "latarnia nie swieci"}, headers=as_(role)
        )
        assert response.status == 200
        body = await response.json()
        assert body["results"][0]["slug"] == "latarnia"
    hit = body["results"][0]
    assert "<script" not in hit["snippet"] and "&lt;/script&gt;" in hit["snippet"]
    assert "<mark>Latarnia</mark>" in hit["snippet"]


async def test_signed_out_is_refused(client: Client) -> None:
    response = await client.get("/api/kb/search", params={"q": "latarnia"})
    assert response.status == 401
    assert (await response.json())["error"] == "not_signed_in"
    assert (await client.get("/api/kb/articles/latarnia")).status == 401


@pytest.mark.parametrize(
    "query",
    [
        {"q": "x" * 201},
        {"q": "a", "limit": "0"},
        {"q": "a", "limit": "x"},
        {"q": "a", "limit": "²"},
        {"q": "a", "limit": "1" * 5000},
    ],
)
async def test_bad_search_parameters(client: Client, query: dict[str, str]) -> None:
    response = await client.get("/api/kb/search", params=query, headers=as_("agent"))
    assert response.status == 400
    assert (await response.json())["error"] == "invalid_query"


async def test_article_is_rendered_to_safe_html(client: Client) -> None:
    response = await client.get("/api/kb/articles/latarnia", headers=as_("agent"))
    assert response.status == 200
    article = await response.json()
    assert article["title"] == "Nie świeci latarnia" and article["department_name"]
    html = article["html"]
    assert "<script" not in html and "<img" not in html and 'href="javascript' not in html
    assert "&lt;script&gt;" in html and "<h2>Czego dotyczy</h2>" in html


async def test_unknown_article_is_a_json_404_in_polish(client: Client) -> None:
    response = await client.get("/api/kb/articles/nie-ma", headers=as_("agent"))
    assert response.status == 404
    body = await response.json()
    assert body["error"] == "kb_article_not_found" and "Nie znaleziono" in body["message"]


async def test_use_is_counted_once_per_call(client: Client) -> None:
    url = "/api/kb/articles/dziura/use"
    first = await client.post(url, json={"call_id": "1764493200.7"}, headers=as_("agent"))
    assert first.status == 201 and (await first.json())["usage_count"] == 1
    again = await client.post(url, json={"call_id": "1764493200.7"}, headers=as_("agent"))
    assert again.status == 200 and (await again.json())["counted"] is False
    bare = await client.post(url, headers=as_("agent"))
    assert bare.status == 201 and (await bare.json())["usage_count"] == 2
    bad = await client.post(url, json={"call_id": 5}, headers=as_("agent"))
    assert bad.status == 400


async def test_only_supervisors_and_admins_edit(client: Client) -> None:
    url = "/api/kb/articles/dziura"
    change = {"body": "Zgłoś wyrwę w jezdni i na chodniku.", "base_version": 1}
    for role in ("agent", "specialist"):
        refused = await client.put(url, json=change, headers=as_(role))
        assert refused.status == 403
    saved = await client.put(url, json=change, headers=as_("supervisor"))
    assert saved.status == 200
    body = await saved.json()
    assert body["version"] == 2 and body["author"] == "u-supervisor"
    stale = await client.put(url, json={**change, "body": "inna"}, headers=as_("admin"))
    assert stale.status == 409
    versions = await (await client.get(url + "/versions", headers=as_("agent"))).json()
    assert [(v["version"], v["source"]) for v in versions] == [(2, "console"), (1, "file")]
    found = await client.get("/api/kb/search", params={"q": "chodnik"}, headers=as_("agent"))
    assert (await found.json())["results"][0]["slug"] == "dziura"


@pytest.mark.parametrize("payload", ["nie json", "[1, 2]"])
async def test_edit_needs_a_json_object(client: Client, payload: str) -> None:
    response = await client.put(
        "/api/kb/articles/dziura",
        data=payload,
        headers={**as_("admin"), "Content-Type": "application/json"},
    )
    assert response.status == 400
    assert (await response.json())["error"] == "bad_json"


async def test_invalid_edit_is_a_json_400(client: Client) -> None:
    response = await client.put(
        "/api/kb/articles/dziura", json={"body": "x", "department": "??"}, headers=as_("admin")
    )
    assert response.status == 400
    assert (await response.json())["error"] == "kb_invalid_article"


async def test_suggest(client: Client) -> None:
    response = await client.get(
        "/api/kb/suggest",
        params={"topics": "oswietlenie", "department": "GK"},
        headers=as_("agent"),
    )
    assert {a["slug"] for a in await response.json()} == {"latarnia", "dziura"}


async def test_page_is_polish_and_shows_editing_to_supervisors(client: Client) -> None:
    agent = await client.get("/baza-wiedzy", headers=as_("agent"))
    assert agent.status == 200
    text = await agent.text()
    assert '<html lang="pl">' in text and "Baza wiedzy" in text and "/static/js/kb.js" in text
    assert 'id="kb-edit"' not in text
    supervisor = await (await client.get("/baza-wiedzy", headers=as_("supervisor"))).text()
    assert 'id="kb-edit"' in supervisor


async def test_database_down_is_a_json_503_and_search_still_works() -> None:
    store = Store("postgresql://postgres@127.0.0.1:1/nothing")
    service = KbService(store, None)
    service.index = SearchIndex([Document("latarnia", "Nie świeci latarnia", "GK", (), (), "x")])
    app = web.Application(middlewares=[error_middleware(), fake_auth])
    app.add_routes(routes(service))
    async with TestClient(TestServer(app)) as down:
        response = await down.get("/api/kb/articles/latarnia", headers=as_("agent"))
        assert response.status == 503
        assert (await response.json())["error"] == "store_unavailable"
        found = await down.get("/api/kb/search", params={"q": "latarnia"}, headers=as_("agent"))
        assert found.status == 200
        assert [h["slug"] for h in (await found.json())["results"]] == ["latarnia"]
    await store.close()


async def test_install_kb_imports_after_the_store_is_migrated(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'cic.db'}")
    migrated: list[bool] = []

    async def store_ctx(_app: web.Application) -> AsyncIterator[None]:
        store.migrate()  # as cic.web.app's _store_ctx does, before the domains' contexts
        migrated.append(True)
        yield
        await store.close()

    app = web.Application(middlewares=[error_middleware(), fake_auth])
    app.cleanup_ctx.append(store_ctx)
    supervisor = Supervisor()
    service = install(app, KbDeps(store, supervisor, KB))
    assert app[KB_KEY] is service
    async with TestClient(TestServer(app)) as client:
        assert migrated == [True]
        for _ in range(600):
            if service.ready:
                break
            await asyncio.sleep(0.05)
        response = await client.get(
            "/api/kb/search", params={"q": "wycinke drzewa"}, headers=as_("agent")
        )
        body = await response.json()
        assert body["ready"] is True
        assert body["results"][0]["slug"] == "wycinka-drzew"
        colloquial = await client.get(  # only the packaged synonyms know this word
            "/api/kb/search", params={"q": "szambiarka"}, headers=as_("agent")
        )
        assert (await colloquial.json())["results"][0][
            "slug"
        ] == "szambo-i-przydomowa-oczyszczalnia"
        assert [(t.name, t.status) for t in supervisor.states()] == [("cic-kb-load", "finished")]
