"""The newsletter's pages and the editors' pages through a real server (SQLite and
PostgreSQL): double opt-in, the same answer for any address, expiring one-time links,
rate limits, RFC 8058 one-click unsubscribe, and editors publishing with a session."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from cic.announcements.models import NewsSubscriber
from cic.auth import users
from cic.auth.service import AuthService
from cic.db import Store
from tests.component.news_world import NewsWorld, news_client, news_settings

PAGE = "/e-urzad/powiadomienia"
_MAIN = re.compile(r"<main.*</main>", re.S)


@pytest.fixture
async def world(db_url: str) -> AsyncIterator[NewsWorld]:
    store = Store(db_url)
    store.migrate()
    settings = news_settings()
    settings.portal.newsletter_per_hour = 5
    async with news_client(store, settings) as world:
        yield world
    await store.close()


async def ask(
    world: NewsWorld, address: str, ip: str = "203.0.113.7", **extra: str
) -> tuple[int, str]:
    data = {"form_token": await world.web.token(PAGE), "email": address, "zgoda": "tak", **extra}
    answer = await world.web.post(PAGE, data, ip=ip)
    return answer.status, await answer.text()


def main(body: str) -> str:
    found = _MAIN.search(body)
    assert found
    return found.group(0)


async def state_of(world: NewsWorld, address: str) -> str | None:
    return await world.web.store.run(lambda s: s.scalar(
        select(NewsSubscriber.state).where(NewsSubscriber.email == address)))  # fmt: skip


async def test_double_opt_in_then_the_newsletter_then_one_click_unsubscribe(
    world: NewsWorld,
) -> None:
    status, form = await world.web.get(PAGE)
    assert status == 200 and 'name="form_token"' in form and "Dąbrowa" in form
    assert "Chcę otrzymywać e-mailem ogłoszenia" in form and 'for="pole-email"' in form

    status, body = await ask(world, "Anna.Nowak@Przyklad.test", kategoria="odpady")
    assert status == 200 and "Sprawdź skrzynkę" in body
    [letter] = world.transport.sent
    assert letter["To"] == "anna.nowak@przyklad.test"
    link = world.transport.confirm_link("anna.nowak@przyklad.test")
    assert link.startswith("https://portal.gmina.test/e-urzad/powiadomienia/potwierdz/")
    path = link.removeprefix("https://portal.gmina.test")

    # Nothing is sent before the confirmation.
    number = await world.announce("Wywóz odpadów wielkogabarytowych", "odpady")
    await world.service.publish(number)
    await world.built.loop.round()
    assert (
        len(world.transport.sent) == 1
        and await state_of(world, "anna.nowak@przyklad.test") == "pending"
    )

    status, page = await world.web.get(path)  # a link scanner's GET confirms nothing
    assert status == 200 and "Potwierdzam zapis" in page
    assert await state_of(world, "anna.nowak@przyklad.test") == "pending"
    token = re.search(r'name="form_token" value="([^"]+)"', page)
    assert token
    answer = await world.web.post(path, {"form_token": token.group(1)})
    assert answer.status == 200 and "Zapis potwierdzony" in await answer.text()
    assert await state_of(world, "anna.nowak@przyklad.test") == "confirmed"
    again = await world.web.post(path, {"form_token": token.group(1)})
    assert again.status == 404 and "Link nieważny" in await again.text()  # one time only

    second = await world.announce("Nowy harmonogram odbioru odpadów", "odpady")
    await world.service.publish(second)
    await world.built.loop.round()
    news = world.transport.sent[-1]
    assert "Nowy harmonogram odbioru odpadów" in str(news["Subject"])
    assert news["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = str(news["List-Unsubscribe"])[1:-1].removeprefix("https://portal.gmina.test")

    status, page = await world.web.get(unsubscribe)
    assert status == 200 and "Wypisz mnie" in page
    # The mail provider's one-click POST: no Origin, no form token, no further step.
    answer = await world.web.client.post(
        unsubscribe, data={"List-Unsubscribe": "One-Click"}, allow_redirects=False
    )
    assert answer.status == 200 and "Wypisano" in await answer.text()
    assert await state_of(world, "anna.nowak@przyklad.test") == "unsubscribed"
    repeat = await world.web.client.post(unsubscribe, data={"List-Unsubscribe": "One-Click"})
    assert repeat.status == 200
    forged = await world.web.client.post(unsubscribe[:-3] + "AAA", data={})
    assert forged.status == 404

    sent = len(world.transport.sent)
    third = await world.announce("Kolejny komunikat o odpadach", "odpady")
    await world.service.publish(third)
    await world.built.loop.round()
    assert len(world.transport.sent) == sent


async def test_the_same_answer_whatever_the_address_and_choices_wait_for_confirmation(
    world: NewsWorld,
) -> None:
    await world.subscribe("jan@przyklad.test", ("odpady",))
    _, known = await ask(world, "jan@przyklad.test", kategoria="kultura-i-sport")
    _, unknown = await ask(world, "nowy@przyklad.test", kategoria="kultura-i-sport")
    strip = re.compile(r'value="[^"]*"')
    assert strip.sub("", main(known)) == strip.sub("", main(unknown))
    # Still on the old choices until the new link is followed.
    sent = len(world.transport.sent)
    concert = await world.announce("Koncert kolęd", "kultura-i-sport")
    await world.service.publish(concert)
    await world.built.loop.round()
    assert len(world.transport.sent) == sent
    assert await state_of(world, "jan@przyklad.test") == "confirmed"


async def test_errors_are_shown_with_the_typed_values(world: NewsWorld) -> None:
    data = {"form_token": await world.web.token(PAGE), "email": "nie-adres",
            "kategoria": "odpady"}  # fmt: skip
    answer = await world.web.post(PAGE, data)
    body = await answer.text()
    assert answer.status == 400 and 'class="error-summary"' in body
    assert 'href="#pole-zgoda"' in body and 'href="#pole-email"' in body  # both at once
    assert 'value="nie-adres"' in body
    assert 'value="odpady" checked' in body
    data["zgoda"] = "tak"
    answer = await world.web.post(PAGE, data)
    body = await answer.text()
    assert answer.status == 400 and 'href="#pole-email"' in body
    assert 'aria-invalid="true" aria-describedby="pole-email-blad"' in body
    stale = await world.web.post(PAGE, {**data, "form_token": "zly"})
    assert stale.status == 400 and "Formularz wygasł" in await stale.text()
    foreign = await world.web.client.post(
        PAGE, data=data, headers={"Origin": "https://zla-strona.example"}
    )
    assert foreign.status == 403
    assert world.transport.sent == []


async def test_links_expire_and_unconfirmed_requests_are_deleted(world: NewsWorld) -> None:
    await ask(world, "zapominalski@przyklad.test")
    path = world.transport.confirm_link("zapominalski@przyklad.test").removeprefix(
        "https://portal.gmina.test"
    )
    world.clock.move(hours=48, seconds=1)
    status, body = await world.web.get(path)
    assert status == 404 and "Link nieważny" in body
    assert await world.built.newsletter.purge() == 1
    assert await state_of(world, "zapominalski@przyklad.test") is None


async def test_requests_are_limited_per_address_and_per_client(world: NewsWorld) -> None:
    for _ in range(3):
        assert (await ask(world, "ala@przyklad.test", ip="198.51.100.1"))[0] == 200
    status, body = await ask(world, "ala@przyklad.test", ip="198.51.100.2")
    assert status == 429 and "Zbyt wiele prób" in body
    for n in range(5):
        assert (await ask(world, f"osoba{n}@przyklad.test", ip="198.51.100.3"))[0] == 200
    assert (await ask(world, "kolejna@przyklad.test", ip="198.51.100.3"))[0] == 429
    assert (await ask(world, "kolejna@przyklad.test", ip="198.51.100.4"))[0] == 200


async def test_editors_publish_through_their_pages(world: NewsWorld) -> None:
    now = datetime.now(UTC)

    def accounts(db: object) -> None:
        users.add(db, "red-anna", "Anna Redaktor", "editor", "haslo-redaktora-123", now=now)  # type: ignore[arg-type]
        users.add(db, "kons-jan", "Jan Konsultant", "agent", "haslo-konsultanta-1", now=now)  # type: ignore[arg-type]

    await world.web.store.run(accounts)
    auth = AuthService(world.web.store)
    editor = await auth.sign_in("red-anna", "haslo-redaktora-123", "127.0.0.1")
    agent = await auth.sign_in("kons-jan", "haslo-konsultanta-1", "127.0.0.1")
    client = world.web.client

    def cookie(token: str) -> dict[str, str]:
        return {"Cookie": f"cic_session={token}", **world.web.origin}

    anonymous = await client.get("/redakcja", allow_redirects=False)
    assert anonymous.status == 302 and anonymous.headers["Location"].startswith("/logowanie")
    assert (await client.get("/redakcja", headers=cookie(agent.token))).status == 403
    home = await client.get("/redakcja", headers=cookie(editor.token))
    text = await home.text()
    assert home.status == 200 and 'href="/redakcja/konsultacje"' in text

    form = {"csrf_token": editor.csrf_token, "title": "Przerwa w dostawie wody",
            "summary": "W Lipkach we wtorek.", "body": "Od **8:00** do 14:00.",
            "category": "komunikaty", "solectwa": "Lipki", "akcja": "opublikuj"}  # fmt: skip
    refused = await client.post("/redakcja/ogloszenia/nowe", data={**form, "csrf_token": "x"},
                                headers=cookie(editor.token), allow_redirects=False)  # fmt: skip
    assert refused.status == 403
    saved = await client.post("/redakcja/ogloszenia/nowe", data=form,
                              headers=cookie(editor.token), allow_redirects=False)  # fmt: skip
    assert saved.status == 303, await saved.text()
    number = int(saved.headers["Location"].split("/")[-1].split("?")[0])
    item = await world.service.get(number)
    assert item.state == "published" and item.author == "red-anna" and item.solectwa == ("Lipki",)
    _, page = await world.web.get(f"/e-urzad/ogloszenia/{number}-{item.slug}")
    assert (
        "<strong>8:00</strong>" in page and "red-anna" not in page and "Anna Redaktor" not in page
    )

    bad = await client.post(f"/redakcja/ogloszenia/{number}",
                            data={**form, "title": "", "akcja": "zapisz"},
                            headers=cookie(editor.token))  # fmt: skip
    assert bad.status == 400 and 'href="#f-title"' in await bad.text()
    later = {**form, "akcja": "zaplanuj", "publish_at": "2026-12-24T08:00"}
    scheduled = await client.post(f"/redakcja/ogloszenia/{number}", data=later,
                                  headers=cookie(editor.token), allow_redirects=False)  # fmt: skip
    assert scheduled.status == 303
    item = await world.service.get(number)
    assert item.state == "scheduled" and item.publish_at == datetime(2026, 12, 24, 7, 0, tzinfo=UTC)
    withdraw = {**form, "akcja": "wycofaj"}
    withdrawn = await client.post(f"/redakcja/ogloszenia/{number}", data=withdraw,
                                  headers=cookie(editor.token), allow_redirects=False)  # fmt: skip
    assert withdrawn.status == 303 and (await world.service.get(number)).state == "withdrawn"
