"""E-mail subscriptions to warnings through the real mail system of tests.mailserver (Postfix
submission with STARTTLS and AUTH, Dovecot IMAP): the test plays the notify store's e-mail
sender (claim, send through the office's SMTP account, finish). The confirmation link arrives,
nothing counts before it is followed, the warning then reaches the address, and the one-click
unsubscribe link in the letter ends the subscription."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest

from cic.announcements.delivery import Mailer
from cic.announcements.letters import Letter
from cic.channels.outbox import SenderIdentity
from cic.channels.plugin import smtp_account
from cic.db import Store
from cic.mail.smtp import SmtpSender
from tests.component.test_portal_news_mail import plain
from tests.component.warnings_world import (
    AGENT,
    SUPERVISOR,
    WarningsWorld,
    warnings_client,
    warnings_settings,
)
from tests.mailfixtures import MailUser, send_through
from tests.mailserver import MailServer

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
PAGE = "/e-urzad/ostrzezenia/subskrypcja"


@pytest.fixture
async def world(db_url: str, mail_server: MailServer) -> AsyncIterator[WarningsWorld]:
    store = Store(db_url)
    store.migrate()
    settings = warnings_settings()
    send_through(settings, mail_server)
    async with warnings_client(store, settings) as found:
        yield found
    await store.close()


async def play_mail_sender(world: WarningsWorld, mail_server: MailServer) -> int:
    """Send every queued e-mail through the office's real SMTP account."""
    settings = world.news.settings
    mailer = Mailer(
        SmtpSender(smtp_account(settings.mail)),
        SenderIdentity(mail_server.office_address, settings.office.name), "gmina.test",
    )  # fmt: skip
    taken = await world.claim("email")
    for item in taken:
        await mailer.send(Letter(item.address, item.message.subject, item.message.text))
        await world.built.notify.finish(item.id, "delivered")
    return len(taken)


async def test_double_opt_in_and_one_click_unsubscribe_through_the_real_mail_server(
    world: WarningsWorld, mail_server: MailServer, mail_user: MailUser
) -> None:
    address = mail_user.address
    token = await world.web.token(PAGE)
    answer = await world.web.post(PAGE, {
        "form_token": token, "kanal": "email", "adres": address.upper(), "zgoda": "tak",
        "solectwo": "Żabno",
    })  # fmt: skip
    assert answer.status == 200 and "Sprawdź skrzynkę" in await answer.text()
    assert await play_mail_sender(world, mail_server) == 1
    raw = mail_server.wait_for(address, lambda r: b"/potwierdz/" in r)
    text = plain(raw)
    confirm = re.search(r"https://portal\.gmina\.test(/e-urzad/ostrzezenia/potwierdz/\S+)", text)
    leave = re.search(r"https://portal\.gmina\.test(/e-urzad/ostrzezenia/wypisz/\S+)", text)
    assert confirm and leave and "wersja 1" in text

    early = await world.warn("Przed potwierdzeniem", solectwa=("Żabno",), channels=("email",))
    await world.service.send(early, SUPERVISOR)
    assert await play_mail_sender(world, mail_server) == 0  # pending: nothing sent

    page = await world.web.client.get(confirm.group(1))
    form = re.search(r'name="form_token" value="([^"]+)"', await page.text())
    assert page.status == 200 and form
    done = await world.web.post(confirm.group(1), {"form_token": form.group(1)})
    assert done.status == 200 and "Zapis potwierdzony" in await done.text()
    again = await world.web.post(confirm.group(1), {"form_token": form.group(1)})
    assert again.status == 404  # a link is used once
    (sub,) = await world.subs.listing(AGENT, address)
    assert (sub.state, sub.solectwa, sub.consent_how) == ("active", ("Żabno",), "portal")

    warning = await world.warn("Awaria wodociągu w Żabnie", solectwa=("Żabno",),
                               channels=("portal", "email"))  # fmt: skip
    await world.service.send(warning, SUPERVISOR)
    assert await play_mail_sender(world, mail_server) == 1
    raw = mail_server.wait_for(address, lambda r: b"Awaria" in r)
    assert "Zostań w domu" in plain(raw)

    link = await world.subs.unsubscribe_link_for(f"subscription:{sub.id}")
    assert link.endswith(leave.group(1))  # what the e-mail sender adds to each warning
    assert await world.subs.unsubscribe_link_for("newsletter:1") == ""
    shown = await world.web.client.get(leave.group(1))
    assert shown.status == 200 and "Wypisz mnie" in await shown.text()
    # RFC 8058: the mail provider's POST carries no Origin and no form token
    gone = await world.web.client.post(leave.group(1), data={"List-Unsubscribe": "One-Click"})
    assert gone.status == 200
    (sub,) = await world.subs.listing(AGENT, address)
    assert (sub.state, sub.unsubscribed_how) == ("unsubscribed", "link")
    forged = await world.web.client.post(leave.group(1)[:-3] + "AAA", data={})
    assert forged.status == 404
