"""The newsletter through the real mail system of tests.mailserver (Postfix submission with
STARTTLS and AUTH, Dovecot IMAP): the confirmation e-mail arrives, nothing else before it is
followed, then the announcement with its List-Unsubscribe fields; after the one-click POST
nothing more arrives."""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import AsyncIterator

import pytest

from cic.db import Store
from tests.component.news_world import NewsWorld, news_client, news_settings
from tests.mailfixtures import MailUser, send_through
from tests.mailserver import MailServer

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


@pytest.fixture
async def world(db_url: str, mail_server: MailServer) -> AsyncIterator[NewsWorld]:
    store = Store(db_url)
    store.migrate()
    settings = news_settings()
    send_through(settings, mail_server)
    async with news_client(store, settings, fake_mail=False) as world:
        yield world
    await store.close()


def parsed(raw: bytes) -> email.message.EmailMessage:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, email.message.EmailMessage)
    return message


def plain(raw: bytes) -> str:
    body = parsed(raw).get_body(("plain",))
    assert body is not None
    return str(body.get_content())


async def test_the_newsletter_through_the_real_mail_server(
    world: NewsWorld, mail_server: MailServer, mail_user: MailUser
) -> None:
    address = mail_user.address
    token = await world.web.token("/e-urzad/powiadomienia")
    answer = await world.web.post("/e-urzad/powiadomienia", {
        "form_token": token, "email": address, "zgoda": "tak", "kategoria": "ostrzezenia",
        "solectwo": "Żabno",
    })  # fmt: skip
    assert answer.status == 200, await answer.text()
    raw = mail_server.wait_for(address, lambda r: b"/potwierdz/" in r)
    found = re.search(
        r"https://portal\.gmina\.test(/e-urzad/powiadomienia/potwierdz/\S+)", plain(raw)
    )
    assert found and "Potwierdź zapis" in str(parsed(raw)["Subject"])

    warning = await world.announce("Ostrzeżenie meteorologiczne: silny wiatr", "ostrzezenia")
    await world.service.publish(warning)
    await world.built.loop.round()
    assert len(mail_server.messages(address)) == 1  # nothing before the confirmation

    page = await world.web.client.get(found.group(1))
    form = re.search(r'name="form_token" value="([^"]+)"', await page.text())
    assert form
    confirmed = await world.web.post(found.group(1), {"form_token": form.group(1)})
    assert confirmed.status == 200

    flood = await world.announce("Ostrzeżenie: podtopienia w Żabnie", "ostrzezenia", ("Żabno",))
    elsewhere = await world.announce("Ostrzeżenie: objazd w Lipkach", "ostrzezenia", ("Lipki",))
    for number in (flood, elsewhere):
        await world.service.publish(number)
    assert await world.built.loop.round() == 1
    raw = mail_server.wait_for(address, lambda r: b"List-Unsubscribe-Post" in r)
    news = parsed(raw)
    assert "podtopienia w Żabnie" in str(news["Subject"])
    assert news["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = str(news["List-Unsubscribe"])
    assert re.fullmatch(r"<https://portal\.gmina\.test/e-urzad/powiadomienia/wypisz/[\w.-]+>", link)
    assert link[1:-1] in plain(raw) and "Ostrzeżenia" in plain(raw)

    one_click = await world.web.client.post(
        link[1:-1].removeprefix("https://portal.gmina.test"),
        data={"List-Unsubscribe": "One-Click"},
    )
    assert one_click.status == 200
    last = await world.announce("Ostrzeżenie: burze w Żabnie", "ostrzezenia", ("Żabno",))
    await world.service.publish(last)
    assert await world.built.loop.round() == 0
    assert len(mail_server.messages(address)) == 2
