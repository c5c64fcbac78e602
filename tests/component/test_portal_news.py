"""Announcements through a real server on SQLite and PostgreSQL: scheduling with a moved
clock, withdrawing, expiry, the feeds, and the newsletter sent exactly once per subscriber
and announcement, also across a restart of its loop and through temporary mail failures."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from cic.announcements.delivery import NewsletterLoop
from cic.announcements.models import Announcement, NewsDelivery
from cic.announcements.service import Draft
from cic.db import Store
from cic.mail.errors import MailSendError
from tests.component.news_world import NewsWorld, news_client


@pytest.fixture
async def world(db_url: str) -> AsyncIterator[NewsWorld]:
    store = Store(db_url)
    store.migrate()
    async with news_client(store) as world:
        yield world
    await store.close()


async def listed(world: NewsWorld, query: str = "") -> str:
    status, body = await world.web.get(f"/e-urzad/ogloszenia{query}")
    assert status == 200, body
    return body


async def test_a_scheduled_announcement_is_public_only_from_its_time(world: NewsWorld) -> None:
    number = await world.announce("Zmiana terminu wywozu odpadów")
    assert "Zmiana terminu" not in await listed(world)  # a draft
    await world.service.schedule(number, world.clock.now + timedelta(hours=2))
    item = await world.service.get(number)
    path = f"/e-urzad/ogloszenia/{number}-{item.slug}"
    assert item.state == "scheduled" and not item.public
    assert "Zmiana terminu" not in await listed(world)
    assert (await world.web.get(path))[0] == 404
    _, rss = await world.web.get("/e-urzad/ogloszenia/rss.xml")
    assert "Zmiana terminu" not in rss
    _, home = await world.web.get("/e-urzad/")
    assert "Zmiana terminu" not in home and "Najnowsze ogłoszenia" not in home

    world.clock.move(hours=2)  # its time has come: public before the loop even looks
    body = await listed(world)
    assert "Zmiana terminu wywozu odpadów" in body and f'href="{path}"' in body
    status, page = await world.web.get(path)
    assert status == 200 and "<h1>Zmiana terminu wywozu odpadów</h1>" in page
    assert "redaktor-anna" not in page and "redaktor-anna" not in body  # never the author
    _, home = await world.web.get("/e-urzad/")
    assert "Najnowsze ogłoszenia" in home and f'<a href="{path}">Zmiana terminu' in home
    await world.built.loop.round()
    assert (await world.service.get(number)).state == "published"


async def test_withdrawn_and_expired_announcements_disappear(world: NewsWorld) -> None:
    gone = await world.announce("Utrudnienia na drodze gminnej", "drogi-i-komunikacja")
    await world.service.publish(gone)
    expiring = await world.service.save(Draft(
        "Zbiórka elektrośmieci", "", "W sobotę.", "odpady",
        expires_at=world.clock.now + timedelta(days=1),
    ), "redaktor-anna")  # fmt: skip
    await world.service.publish(expiring)
    body = await listed(world)
    assert "Utrudnienia na drodze" in body and "Zbiórka elektrośmieci" in body

    await world.service.withdraw(gone)
    world.clock.move(days=1)
    body = await listed(world)
    assert "Utrudnienia na drodze" not in body and "Zbiórka elektrośmieci" not in body
    for number in (gone, expiring):
        item = await world.service.get(number)
        assert (await world.web.get(f"/e-urzad/ogloszenia/{number}-{item.slug}"))[0] == 404
    _, atom = await world.web.get("/e-urzad/ogloszenia/atom.xml")
    assert "Utrudnienia" not in atom and "elektrośmieci" not in atom


async def test_list_filters_pages_and_canonical_address(world: NewsWorld) -> None:
    for n in range(12):
        number = await world.announce(f"Komunikat numer {n:02d}", "komunikaty")
        await world.service.publish(number)
        world.clock.move(minutes=1)
    dabrowa = await world.announce("Zebranie wiejskie w Dąbrowie", "rada-gminy", ("Dąbrowa",))
    await world.service.publish(dabrowa)

    first = await listed(world)
    assert first.index("Zebranie wiejskie") < first.index("Komunikat numer 11")  # newest first
    assert "Komunikat numer 02" not in first and "Strona 2" in first
    second = await listed(world, "?strona=2")
    assert "Komunikat numer 02" in second and "Komunikat numer 11" not in second
    only = await listed(world, "?kategoria=rada-gminy")
    assert "Zebranie wiejskie" in only and "Komunikat numer" not in only
    assert 'href="/e-urzad/ogloszenia/rss.xml?kategoria=rada-gminy"' in only
    assert 'rel="alternate" type="application/atom+xml"' in only
    lipki = await listed(world, "?solectwo=Lipki")
    assert "Zebranie wiejskie" not in lipki and "Komunikat numer 11" in lipki  # whole gmina
    assert "Zebranie wiejskie" in await listed(world, "?solectwo=D%C4%85browa")

    item = await world.service.get(dabrowa)
    moved = await world.web.client.get(f"/e-urzad/ogloszenia/{dabrowa}-stary-tytul",
                                       allow_redirects=False)  # fmt: skip
    assert moved.status == 301
    assert moved.headers["Location"] == f"/e-urzad/ogloszenia/{dabrowa}-{item.slug}"


async def test_feeds_per_category_are_valid_and_escaped(world: NewsWorld) -> None:
    markup = await world.service.save(Draft(
        "Przetarg <ustny> & licytacja działki", "Cena wywoławcza <b>50 000 zł</b> & więcej",
        "# Nagłówek\n\n<script>alert(1)</script> **ważne**", "przetargi-i-nieruchomosci",
    ), "redaktor-anna")  # fmt: skip
    await world.service.publish(markup)
    other = await world.announce("Koncert w świetlicy", "kultura-i-sport")
    await world.service.publish(other)

    answer = await world.web.client.get(
        "/e-urzad/ogloszenia/rss.xml?kategoria=przetargi-i-nieruchomosci"
    )
    assert answer.headers["Content-Type"].startswith("application/rss+xml")
    channel = ET.fromstring(await answer.read()).find("channel")
    assert channel is not None
    titles = [i.findtext("title") for i in channel.findall("item")]
    assert titles == ["Przetarg <ustny> & licytacja działki"]
    link = channel.findtext("item/link") or ""
    assert link.startswith("https://portal.gmina.test/e-urzad/ogloszenia/")
    atom = await world.web.client.get("/e-urzad/ogloszenia/atom.xml")
    root = ET.fromstring(await atom.read())
    assert len(root.findall("{http://www.w3.org/2005/Atom}entry")) == 2
    missing = await world.web.client.get("/e-urzad/ogloszenia/atom.xml?kategoria=nie-ma")
    assert missing.status == 404

    item = await world.service.get(markup)
    _, page = await world.web.get(f"/e-urzad/ogloszenia/{markup}-{item.slug}")
    assert "<script>" not in page and "&lt;script&gt;" in page and "<strong>ważne</strong>" in page
    assert "Przetarg &lt;ustny&gt; &amp; licytacja" in page
    assert "<h2>Nagłówek</h2>" in page and page.count("<h1") == 1  # the title is the one h1


async def test_each_subscriber_gets_an_announcement_once(world: NewsWorld) -> None:
    await world.subscribe("anna@przyklad.test", ("odpady",), ("Dąbrowa",))
    await world.subscribe("bogdan@przyklad.test", (), ("Lipki",))
    await world.subscribe("celina@przyklad.test", ("drogi-i-komunikacja",))
    await world.built.newsletter.subscribe(  # never confirmed: gets nothing
        "dorota@przyklad.test", [], [], "zgoda", ["odpady"]
    )
    world.transport.sent.clear()

    dabrowa = await world.announce("Odbiór gabarytów w Dąbrowie", "odpady", ("Dąbrowa",))
    gmina = await world.announce("Harmonogram odpadów 2027", "odpady")
    await world.service.publish(dabrowa)
    await world.service.schedule(gmina, world.clock.now + timedelta(hours=1))
    await world.built.loop.round()
    assert sorted(m["To"] for m in world.transport.sent) == ["anna@przyklad.test"]
    world.clock.move(hours=1)
    await world.built.loop.round()
    await world.built.loop.round()
    got = sorted((m["To"], str(m["Subject"]).split(" – ")[0]) for m in world.transport.sent)
    assert got == [
        ("anna@przyklad.test", "Harmonogram odpadów 2027"),
        ("anna@przyklad.test", "Odbiór gabarytów w Dąbrowie"),
        ("bogdan@przyklad.test", "Harmonogram odpadów 2027"),
    ]
    letter = world.transport.to("bogdan@przyklad.test")[0]
    unsubscribe = letter["List-Unsubscribe"]
    assert unsubscribe.startswith("<https://portal.gmina.test/e-urzad/powiadomienia/wypisz/")
    assert letter["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe[1:-1] in world.transport.text(letter)

    # A new loop (the controller restarted) sends nothing again.
    again = NewsletterLoop(world.web.store, world.built.newsletter, world.built.loop.mailer,
                           zone="Europe/Warsaw", list_id="x <x.test>", now=world.clock)  # fmt: skip
    assert await again.round() == 0 and len(world.transport.sent) == 3
    rows = await world.web.store.run(lambda s: s.scalar(select(func.count(NewsDelivery.id))))
    assert rows == 3


async def test_temporary_failures_are_retried_with_backoff_and_withdraw_stops_sending(
    world: NewsWorld,
) -> None:
    await world.subscribe("ewa@przyklad.test")
    await world.subscribe("filip@przyklad.test")
    world.transport.sent.clear()
    busy = MailSendError("451 4.3.0 chwilowo niedostępny", temporary=True)
    world.transport.fail = [busy, busy]
    number = await world.announce("Ostrzeżenie przed burzą", "ostrzezenia")
    await world.service.publish(number)
    await world.built.loop.round()
    assert world.transport.sent == []
    world.clock.move(seconds=59)
    await world.built.loop.round()
    assert world.transport.sent == []  # the back-off (60 s) has not passed
    world.clock.move(seconds=2)
    await world.built.loop.round()
    assert sorted(m["To"] for m in world.transport.sent) == [
        "ewa@przyklad.test", "filip@przyklad.test"
    ]  # fmt: skip
    attempts = await world.web.store.run(lambda s: sorted(s.scalars(
        select(NewsDelivery.attempts).where(NewsDelivery.state == "wyslana"))))  # fmt: skip
    assert attempts == [2, 2]

    # Withdrawn before its e-mails went out: none goes out.
    world.transport.sent.clear()
    world.transport.fail = [busy]
    second = await world.announce("Odwołane zebranie", "rada-gminy")
    await world.service.publish(second)
    await world.built.loop.round()  # the first send fails, the second goes out
    assert len(world.transport.sent) == 1
    assert await world.service.withdraw(second) == 1
    world.clock.move(hours=2)
    await world.built.loop.round()
    assert len(world.transport.sent) == 1
    states = await world.web.store.run(lambda s: sorted(s.scalars(
        select(NewsDelivery.state).where(NewsDelivery.announcement_id == second))))  # fmt: skip
    assert states == ["pominieta", "wyslana"]
    mailed = await world.web.store.run(lambda s: s.get(Announcement, second).mailed_at)
    assert mailed is not None


async def test_the_editors_json_api(world: NewsWorld) -> None:
    client = world.web.client
    token = {"Authorization": "Bearer token-api-testowy"}
    draft = {"title": "Sesja Rady Gminy", "summary": "Porządek obrad.", "body": "1. Otwarcie",
             "category": "rada-gminy", "solectwa": ["Lipki"]}  # fmt: skip
    assert (await client.post("/api/ogloszenia", json=draft)).status == 401
    created = await client.post("/api/ogloszenia", json=draft, headers=token)
    body = await created.json()
    assert created.status == 201 and body["state"] == "draft" and body["public"] is False
    number = body["id"]
    later = (world.clock.now + timedelta(days=1)).isoformat()
    action = f"/api/ogloszenia/{number}/czynnosc"
    scheduled = await client.post(action, json={"action": "schedule", "publish_at": later},
                                  headers=token)  # fmt: skip
    assert (await scheduled.json())["state"] == "scheduled"
    past = await client.post(action, json={"action": "schedule", "publish_at": "2020-01-01T00:00"},
                             headers=token)  # fmt: skip
    assert past.status == 400 and (await past.json())["error"] == "announcement_invalid"
    wrong = await client.post("/api/ogloszenia", json={**draft, "category": "nie-ma"},
                              headers=token)  # fmt: skip
    assert wrong.status == 400
    unknown = await client.post("/api/ogloszenia", json={**draft, "autor": "x"}, headers=token)
    assert unknown.status == 400
    changed = await client.put(f"/api/ogloszenia/{number}", json={**draft, "title": "Sesja"},
                               headers=token)  # fmt: skip
    assert (await changed.json())["title"] == "Sesja"
    published = await client.post(action, json={"action": "publish"}, headers=token)
    assert (await published.json())["public"] is True
    withdrawn = await client.post(action, json={"action": "withdraw"}, headers=token)
    assert (await withdrawn.json())["state"] == "withdrawn"
    listed_ = await client.get("/api/ogloszenia", headers=token)
    assert [a["id"] for a in await listed_.json()] == [number]
