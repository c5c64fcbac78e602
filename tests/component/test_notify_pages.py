"""The notification pages on the real portal server (SQLite and PostgreSQL): the confirmation
link of a message shows a page with a button and confirms nothing (link scanners open it); the
button's POST confirms; forged, altered and odd tokens get a Polish page and change nothing;
the supervisors' API gives a batch's results and cancels what is queued."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp import web

from cic.bus import InProcessBus
from cic.config import Settings
from cic.db import Store
from cic.notify import plugin
from cic.notify.service import Outgoing, Recipient
from cic.supervisor import Supervisor
from tests.component.news_world import Transport
from tests.component.portal_world import KEY, PortalWorld, portal_client

API = {"Authorization": "Bearer token-api-testowy"}
CALL_OUT = Outgoing("Zgłoszenie: powalone drzewo, ul. Leśna 4. Proszę potwierdzić.", confirm=True)


@dataclass
class World:
    web: PortalWorld
    notify: plugin.Notify
    transport: Transport

    @property
    def service(self) -> Any:
        return self.notify.service

    async def sent_link(self, address: str = "druh.jan@example.pl") -> tuple[int, str]:
        """Queue a call-out by e-mail, send it, return the delivery and its link's path."""
        await self.service.send("dispatch:7", CALL_OUT, [Recipient("email", address, "r:1")])
        assert self.notify.email is not None
        await self.notify.email.round()
        found = re.search(r"https?://\S+(/e-urzad/potwierdz/\S+)",
                          self.transport.text(self.transport.sent[-1]))  # fmt: skip
        assert found
        delivery = (await self.service.deliveries("dispatch:7"))[-1]
        assert delivery["address"] == address
        return delivery["id"], found.group(1)


@pytest.fixture
async def world(db_url: str) -> AsyncIterator[World]:
    store = Store(db_url)
    store.migrate()
    settings = Settings()
    settings.public_url = "https://portal.gmina.test"
    settings.mail.address = "urzad@gmina.test"
    bus, supervisor, transport = InProcessBus(), Supervisor(), Transport()
    holder: dict[str, plugin.Notify] = {}

    def add(app: web.Application, portal: Any) -> None:
        holder["notify"] = plugin.install(app, plugin.NotifyDeps(
            settings, store, bus, supervisor, KEY, portal=portal, transport=transport,
        ))  # fmt: skip

    async with portal_client(store, settings, add=add) as web_world:
        await supervisor.stop()  # the test runs the rounds itself
        yield World(web_world, holder["notify"], transport)
    await bus.close()
    await store.close()


async def test_opening_the_link_confirms_nothing_the_button_does(world: World) -> None:
    delivery_id, path = await world.sent_link()
    assert len(path.rsplit("/", 1)[1]) <= 20
    for _ in range(3):  # a mail system's scanner, then the person
        status, body = await world.web.get(path)
        assert status == 200 and "Potwierdzam odbiór" in body
    assert (await world.service.get(delivery_id))["status"] == "delivered"
    token = await world.web.token(path)
    answer = await world.web.post(path, {"form_token": token})
    assert answer.status == 200 and "Odbiór potwierdzony" in await answer.text()
    delivery = await world.service.get(delivery_id)
    assert delivery["status"] == "confirmed" and delivery["confirmed_at"]
    status, body = await world.web.get(path)  # the link again: already done
    assert status == 200 and "Odbiór potwierdzony" in body and "<form" not in body


@pytest.mark.parametrize(
    "token",
    ["1-AAAAAAAAAAAA", "zzzzzz-AAAAAAAAAAAA", "..%2F..%2Fetc%2Fpasswd", "1'%20OR%201=1--",
     "x" * 300, "%C5%BC%C3%B3%C5%82w", "1-"],
)  # fmt: skip
async def test_a_forged_or_odd_token_gets_a_polish_page(world: World, token: str) -> None:
    delivery_id, _ = await world.sent_link()
    status, body = await world.web.get(f"/e-urzad/potwierdz/{token}")
    assert status == 404 and "Link nieważny" in body and "nieprawidłowy" in body
    links = world.notify.email.links  # type: ignore[union-attr]
    form = await world.web.token(f"/e-urzad/potwierdz/{links.token(delivery_id)}")
    answer = await world.web.post(f"/e-urzad/potwierdz/{token}", {"form_token": form})
    assert answer.status == 404 and "Link nieważny" in await answer.text()
    assert (await world.service.get(delivery_id))["status"] == "delivered"


async def test_an_altered_token_is_refused(world: World) -> None:
    delivery_id, path = await world.sent_link()
    other_id, _ = await world.sent_link("druh.adam@example.pl")
    ident, mac = path.rsplit("/", 1)[1].split("-")
    altered = f"/e-urzad/potwierdz/{int(ident, 36) + 1:x}-{mac}"
    status, body = await world.web.get(altered)
    assert status == 404 and "Link nieważny" in body
    swapped = mac[:-1] + ("A" if mac[-1] != "A" else "B")
    status, _ = await world.web.get(f"/e-urzad/potwierdz/{ident}-{swapped}")
    assert status == 404
    assert {d["status"] for d in await world.service.deliveries("dispatch:7")} == {"delivered"}
    assert other_id != delivery_id


async def test_a_post_without_the_pages_token_confirms_nothing(world: World) -> None:
    delivery_id, path = await world.sent_link()
    answer = await world.web.post(path, {"form_token": "v1.0.zly"})
    assert answer.status == 400 and "Potwierdzam odbiór" in await answer.text()
    answer = await world.web.post(path, {})
    assert answer.status == 400
    assert (await world.service.get(delivery_id))["status"] == "delivered"


async def test_a_cancelled_message_needs_no_confirmation(world: World) -> None:
    people = [Recipient("sms", "500100201"), Recipient("sms", "500100202")]
    await world.service.send("dispatch:8", CALL_OUT, people)
    [first, second] = await world.service.deliveries("dispatch:8")
    await world.service.cancel("dispatch:8")
    links = world.notify.email.links  # type: ignore[union-attr]
    status, body = await world.web.get(f"/e-urzad/potwierdz/{links.token(first['id'])}")
    assert status == 200 and "odwołał" in body and "<form" not in body
    assert (await world.service.get(second["id"]))["status"] == "cancelled"


async def test_the_supervisors_api_gives_results_and_cancels(world: World) -> None:
    await world.sent_link()
    await world.service.send("dispatch:7", CALL_OUT, [Recipient("sms", "500 100 203", "r:2")])
    client = world.web.client
    answer = await client.get("/api/powiadomienia/dispatch:7", headers=API)
    assert answer.status == 200
    batch = await answer.json()
    assert batch["summary"]["total"] == 2 and batch["summary"]["reached"] == 1
    assert {d["status"] for d in batch["deliveries"]} == {"delivered", "queued"}
    assert [s["channel"] for s in batch["senders"]] == ["email"]
    cancelled = await client.post("/api/powiadomienia/dispatch:7/anuluj", headers=API)
    assert cancelled.status == 200 and (await cancelled.json())["cancelled"] == 1
    again = await (await client.get("/api/powiadomienia/dispatch:7", headers=API)).json()
    assert again["summary"]["finished"] is True


@pytest.mark.parametrize(
    ("batch", "status"),
    [("warning:404", 404), ("bez-dwukropka", 400), ("x" * 300 + ":1", 400),
     ("warning:1'%20OR%201=1", 404), ("%C5%BC:1", 400)],
)  # fmt: skip
async def test_the_api_refuses_unknown_and_odd_batches(
    world: World, batch: str, status: int
) -> None:
    answer = await world.web.client.get(f"/api/powiadomienia/{batch}", headers=API)
    assert answer.status == status
    body = await answer.json()
    assert body["error"].startswith("notify_") and body["message"]


async def test_the_api_shows_the_senders_state(world: World) -> None:
    answer = await world.web.client.get("/api/powiadomienia", headers=API)
    assert answer.status == 200
    assert [s["channel"] for s in (await answer.json())["senders"]] == ["email"]


async def test_the_api_is_for_supervisors_only(world: World) -> None:
    answer = await world.web.client.get("/api/powiadomienia/dispatch:7")
    assert answer.status == 401
    answer = await world.web.client.get("/api/powiadomienia")
    assert answer.status == 401
    answer = await world.web.client.post("/api/powiadomienia/dispatch:7/anuluj")
    assert answer.status in (401, 403)
