"""The responders' and addresses' HTTP API through a real aiohttp server (SQLite): roles,
the map layer, proposals, a dispatch acknowledged by the responder's confirmation link, the
register page, and bad input answered with a clear Polish error."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from cic.addresses import importer, prg
from cic.addresses import plugin as addresses_plugin
from cic.bus import InProcessBus
from cic.config import SafetySettings
from cic.db import Store
from cic.incidents.layers import layers_of
from cic.notify.service import NotifyService
from cic.responders import plugin as responders_plugin
from cic.supervisor import Supervisor
from cic.web.errors import error_middleware
from tests.component.test_kb_views import fake_auth

Client = TestClient[Any, Any]
NOTIFY = web.AppKey("test_notify", NotifyService)
SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "addresses" / "gmina_debowka.csv"
AREA = ((52.2, 20.6), (52.6, 21.2))
OSP = {"kind": "osp", "name": "OSP Dębówka", "address": "ul. Polna 3, Dębówka",
       "phone": "+48 500 100 231", "email": "osp@example.pl", "channels": ["sms", "email"],
       "always_on": True}  # fmt: skip


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[Client]:
    store = Store(f"sqlite:///{tmp_path / 'cic.db'}")
    store.migrate()
    importer.load(store, prg.parse(SAMPLE.read_bytes(), max_bytes=10**7, max_rows=1000))
    bus = InProcessBus()
    app = web.Application(middlewares=[error_middleware(), fake_auth])
    book = addresses_plugin.install(
        app, addresses_plugin.AddressDeps(store, SafetySettings(address_lookups_per_hour=3))
    )
    app[NOTIFY] = NotifyService(store, bus)
    responders_plugin.install(app, responders_plugin.RespondersDeps(
        store, bus, Supervisor(), app[NOTIFY], book, AREA, "Europe/Warsaw",
    ))  # fmt: skip
    async with TestClient(TestServer(app)) as test_client:
        yield test_client
    await bus.close()
    await store.close()


def as_(role: str) -> dict[str, str]:
    return {"X-Test-Role": role}


async def test_register_map_layer_proposal_dispatch_and_confirmation(client: Client) -> None:
    refused = await client.post("/api/ratownicy", json=OSP, headers=as_("agent"))
    assert refused.status == 403
    created = await client.post("/api/ratownicy", json=OSP, headers=as_("supervisor"))
    assert created.status == 201, await created.text()
    osp = await created.json()
    assert (osp["address"], osp["phone"], osp["available_now"]) == (
        "ul. Polna 3, Dębówka", "500100231", True,
    )  # fmt: skip
    layer = await (await client.get("/api/ratownicy", headers=as_("agent"))).json()
    assert [
        set(r) >= {"id", "name", "kind", "lat", "lon", "available_now"} for r in layer["items"]
    ] == [True]
    assert "phone" not in layer["items"][0]  # contact details only for the register's keepers
    features = await (await client.get("/api/ratownicy/mapa", headers=as_("agent"))).json()
    assert [(f["label"], f["detail"]) for f in features] == [
        ("OSP Dębówka (OSP)", "dostępny teraz")
    ]
    assert client.app is not None
    assert "ratownicy" in [layer.id for layer in layers_of(client.app)]

    ask = {"lat": 52.4015, "lon": 20.902, "kinds": ["osp"]}
    proposed = await (await client.post("/api/wyjazdy/propozycje", json=ask,
                                         headers=as_("agent"))).json()  # fmt: skip
    assert [p["name"] for p in proposed["items"]] == ["OSP Dębówka"]
    assert proposed["items"][0]["km"] == pytest.approx(0.39, abs=0.05)

    send = {"incident_id": 5, "responder_id": osp["id"], "note": "",
            "category": "Zalana piwnica", "address": "Lipowa 5, Dębówka"}  # fmt: skip
    assert (await client.post("/api/wyjazdy", json=send, headers=as_("agent"))).status == 403
    sent = await client.post("/api/wyjazdy", json=send, headers=as_("specialist"))
    assert sent.status == 201
    dispatch = await sent.json()
    assert [d["channel"] for d in dispatch["deliveries"]] == ["sms", "email"]
    assert "http" not in dispatch["text"]  # each channel's sender adds how to confirm
    assert client.app is not None
    # the responder opens the SMS's confirmation link (the notification senders' page)
    await client.app[NOTIFY].confirm(dispatch["deliveries"][0]["id"])

    async def status() -> str:
        found = await client.get(f"/api/wyjazdy/{dispatch['id']}", headers=as_("agent"))
        return str((await found.json())["status"])

    for _ in range(100):
        if await status() == "potwierdzone":
            break
        await asyncio.sleep(0.05)
    shown = await (await client.get("/api/wyjazdy", params={"incident_id": "5"},
                                    headers=as_("agent"))).json()  # fmt: skip
    assert [d["status"] for d in shown["items"]] == ["potwierdzone"]
    register = await client.get("/bezpieczenstwo/ratownicy", headers=as_("supervisor"))
    text = await register.text()
    assert register.status == 200 and "OSP Dębówka" in text and "potwierdzone" in text
    assert (await client.get("/bezpieczenstwo/ratownicy", headers=as_("agent"))).status == 403


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        ({"lat": 50.06, "lon": 19.94}, 400, "outside_area"),
        ({"lat": "52.4", "lon": 20.9}, 400, "responder_invalid"),
        ({"lat": 952.4, "lon": 20.9}, 400, "responder_invalid"),
        ({"lat": 52.4, "lon": 20.9, "kinds": ["../../etc/passwd"]}, 400, "responder_invalid"),
        ({"lon": 20.9}, 400, "responder_invalid"),
    ],
)
async def test_bad_proposals(client: Client, body: dict[str, Any], status: int, error: str) -> None:
    response = await client.post("/api/wyjazdy/propozycje", json=body, headers=as_("agent"))
    assert response.status == status
    answer = await response.json()
    assert answer["error"] == error and answer["message"]


async def test_bad_responders_and_unknown_addresses(client: Client) -> None:
    unknown = await client.post("/api/ratownicy", headers=as_("supervisor"),
                                json={**OSP, "address": "Nieistniejąca 5, Dębówka"})  # fmt: skip
    body = await unknown.json()
    assert unknown.status == 400 and "nie znaleziono adresu" in body["fields"]["address"]
    odd = await client.post("/api/ratownicy", headers=as_("supervisor"),
                            json={**OSP, "name": "x" * 300, "channels": ["fax"]})  # fmt: skip
    assert odd.status == 400
    missing = await client.get("/api/ratownicy/999", headers=as_("agent"))
    assert missing.status == 404 and (await missing.json())["error"] == "responder_not_found"
    form = await client.post("/bezpieczenstwo/ratownicy", headers=as_("supervisor"),
                             data={"name": "Sołtys", "kind": "soltys", "address": "Lipowa 99",
                                   "channel_sms": "tak", "phone": "500100232"})  # fmt: skip
    assert form.status == 400 and "nie znaleziono adresu" in await form.text()
    saved = await client.post("/bezpieczenstwo/ratownicy", headers=as_("supervisor"),
                              data={"name": "Sołtys Dębówki", "kind": "soltys",
                                    "address": "Lipowa 1, Dębówka", "channel_sms": "tak",
                                    "phone": "500100232", "weekly_mon": "08:00-16:00, 20:00-06:00",
                                    "exceptions": "wolne 2026-12-24T00:00 2026-12-27T00:00 urlop"},
                              allow_redirects=False)  # fmt: skip
    assert saved.status == 303


async def test_address_suggestions_and_the_geocoder(client: Client) -> None:
    found = await (await client.get("/api/adresy", params={"q": "zielona 1"},
                                    headers=as_("agent"))).json()  # fmt: skip
    assert found["items"][0]["label"] == "Zielona Łąka 1"
    point = await client.get("/api/adresy/punkt", params={"adres": "ul. Lipowa 5 Dębówka"},
                             headers=as_("agent"))  # fmt: skip
    assert (await point.json())["label"] == "Lipowa 5, Dębówka"
    unknown = await client.get("/api/adresy/punkt", params={"adres": "Lipowa 99, Dębówka"},
                               headers=as_("agent"))  # fmt: skip
    assert unknown.status == 404 and "Nie znaleziono" in (await unknown.json())["message"]
    too_long = await client.get("/api/adresy", params={"q": "x" * 300}, headers=as_("agent"))
    assert too_long.status == 400
    assert (await client.get("/api/adresy", params={"q": "lip"})).status == 401
    json_please = {"Accept": "application/json"}
    public = [await client.get("/e-urzad/adresy", params={"q": "lip"}, headers=json_please)
              for _ in range(4)]  # fmt: skip
    assert [r.status for r in public] == [200, 200, 200, 429]


async def test_the_page_edits_a_responder_round_trip(client: Client) -> None:
    form = {"name": "Sołtys Dębówki", "kind": "soltys", "address": "Lipowa 1, Dębówka",
            "channel_sms": "tak", "channel_email": "tak", "phone": "500100233",
            "email": "soltys@example.pl", "weekly_fri": "20:00-06:00",
            "exceptions": "wolne 2026-12-24T00:00 2026-12-27T00:00 urlop"}  # fmt: skip
    added = await client.post("/bezpieczenstwo/ratownicy", headers=as_("supervisor"), data=form,
                              allow_redirects=False)  # fmt: skip
    assert added.status == 303
    listed = await (await client.get("/api/ratownicy", headers=as_("supervisor"))).json()
    soltys = listed["items"][0]
    page = await client.get("/bezpieczenstwo/ratownicy", params={"edytuj": str(soltys["id"])},
                            headers=as_("supervisor"))  # fmt: skip
    text = await page.text()
    assert "Zmiana: Sołtys Dębówki" in text and 'value="20:00-06:00"' in text
    assert "wolne 2026-12-24T00:00 2026-12-27T00:00 urlop" in text
    changed = await client.post(
        "/bezpieczenstwo/ratownicy", headers=as_("supervisor"), allow_redirects=False,
        data={**form, "id": str(soltys["id"]), "name": "Sołtyska Dębówki", "active": "nie"},
    )  # fmt: skip
    assert changed.status == 303
    after = await (await client.get(f"/api/ratownicy/{soltys['id']}",
                                    headers=as_("supervisor"))).json()  # fmt: skip
    assert (after["name"], after["active"], after["channels"]) == (
        "Sołtyska Dębówki", False, ["sms", "email"],
    )  # fmt: skip
    assert after["weekly"] == {"fri": ["20:00-06:00"]}
    assert after["exceptions"][0]["note"] == "urlop"


async def test_an_unanswered_dispatch_asks_for_the_next_one_on_the_page(client: Client) -> None:
    osp = await (await client.post("/api/ratownicy", json=OSP, headers=as_("admin"))).json()
    send = {"incident_id": 9, "responder_id": osp["id"], "category": "Pies", "address": "Polna 1"}
    sent = await (await client.post("/api/wyjazdy", json=send, headers=as_("supervisor"))).json()
    answer = {"status": "brak_odpowiedzi", "detail": "nie odbiera"}
    none = await client.post(f"/api/wyjazdy/{sent['id']}/stan", headers=as_("specialist"),
                             json=answer)  # fmt: skip
    assert none.status == 200
    assert {d["status"] for d in (await none.json())["deliveries"]} == {"cancelled"}
    page = await client.get("/bezpieczenstwo/ratownicy", headers=as_("specialist"))
    assert "brak odpowiedzi: wyślij następnego" in await page.text()
