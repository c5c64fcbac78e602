"""The safety system's staff pages in the real ``create_app`` with real sessions (no Asterisk
needed): the map page, an incident's page with its status form, the catalogue's form for
supervisors only."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from tests.integration.test_access import Client, app, origin, sign_in
from tests.unit.test_auth_support import FakeClock

__all__ = ["app"]  # the fixture, shared with the access tests

World = tuple[web.Application, Client, FakeClock]


async def _form(client: Client, path: str, csrf: str, **fields: str) -> Any:
    return await client.post(path, data={"csrf_token": csrf, **fields},
                             headers=origin(client), allow_redirects=False)  # fmt: skip


async def test_agent_reports_changes_status_and_sees_the_history(app: World) -> None:
    _, client, _ = app
    csrf = await sign_in(client, "agentka")
    page = await client.get("/bezpieczenstwo")
    text = await page.text()
    assert page.status == 200 and "safety-map" in text and "Powalone drzewo na drodze" in text
    assert "tile.openstreetmap.org" in page.headers["Content-Security-Policy"]
    assert (await client.get("/static/js/incident_report.js")).status == 200  # console button
    made = await client.post("/api/zagrozenia", json={
        "category": "podtopienie", "title": "Zalana piwnica \"pod <szkołą>\"", "lat": 50.1,
        "lon": 20.0, "source": "telefon", "call_id": "1733500000.99",
    }, headers={**origin(client), "X-CSRF-Token": csrf})  # fmt: skip
    assert made.status == 201, await made.text()
    number = (await made.json())["incident"]["id"]
    path = f"/bezpieczenstwo/zgloszenia/{number}"
    detail = await (await client.get(path)).text()
    assert "Zalana piwnica &#34;pod &lt;szkołą&gt;&#34;" in detail and "1733500000.99" in detail
    moved = await _form(client, f"{path}/stan", csrf, status="przyjete", note="OSP w drodze")
    assert moved.status == 303 and moved.headers["Location"] == path
    refused = await _form(client, f"{path}/stan", csrf, status="zgloszone")
    assert refused.status == 303 and "blad=" in refused.headers["Location"]
    shown = await (await client.get(refused.headers["Location"])).text()
    assert "nie można przenieść" in shown
    detail = await (await client.get(path)).text()
    assert "zgłoszone → przyjęte" in detail and "OSP w drodze" in detail
    catalogue = await _form(client, "/bezpieczenstwo/kategorie", csrf, slug="grad", name="Grad")
    assert catalogue.status == 403


async def test_supervisor_edits_the_catalogue(app: World) -> None:
    _, client, _ = app
    csrf = await sign_in(client, "szef")
    saved = await _form(client, "/bezpieczenstwo/kategorie", csrf, slug="grad",
                        name="Gradobicie", notify="soltys, osp", priority="wysoki",
                        active="tak", instructions="Zapisz szkody.")  # fmt: skip
    assert saved.status == 303 and saved.headers["Location"] == "/bezpieczenstwo/kategorie"
    page = await (await client.get("/bezpieczenstwo/kategorie")).text()
    assert "Gradobicie" in page and "soltys, osp" in page
    bad = await _form(client, "/bezpieczenstwo/kategorie", csrf, slug="../../etc/passwd",
                      name="x")  # fmt: skip
    assert bad.status == 303 and "blad=" in bad.headers["Location"]
    api = await client.get("/api/zagrozenia/kategorie")
    assert "grad" in [c["slug"] for c in await api.json()]
