"""The e-mail sender of the notification store through the real mail system of
tests.mailserver (Postfix submission with STARTTLS and AUTH, Dovecot IMAP): every recipient's
message arrives once with its Polish subject, text and confirmation link; an unreachable server
is tried again later and then given up; refused credentials fail at once."""

from __future__ import annotations

import email
import email.policy
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from cic.bus import InProcessBus
from cic.channels.outbox import SenderIdentity
from cic.db import Store
from cic.mail.settings import SmtpAccount
from cic.mail.smtp import SmtpSender
from cic.notify.links import ConfirmLinks, confirm_key
from cic.notify.senders import EmailSender
from cic.notify.service import NotifyService, Outgoing, Recipient
from tests.maildaemons import free_ports
from tests.mailfixtures import MailUser, new_mail_user
from tests.mailserver import MailServer

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
WARNING = Outgoing(
    "Ostrzeżenie: jutro od 6:00 do 18:00 silny wiatr do 90 km/h. Zabezpiecz rzeczy na posesji.",
    "Ostrzeżenie meteorologiczne – Urząd Gminy Testowo",
    confirm=True,
)
LINKS = ConfirmLinks(confirm_key(b"k" * 32), "https://portal.gmina.test")


def account(server: MailServer, **changes: object) -> SmtpAccount:
    office = SmtpAccount(
        host="127.0.0.1", port=server.submission_port, tls="starttls",
        username=server.office_address, password=server.office_password,
        ca_file=str(server.ca_file), timeout=10,
    )  # fmt: skip
    return replace(office, **changes)  # type: ignore[arg-type]


@pytest.fixture
async def service(db_url: str) -> AsyncIterator[NotifyService]:
    store = Store(db_url)
    store.migrate()
    bus = InProcessBus()
    yield NotifyService(store, bus, attempts={"email": 2}, retry_seconds=0)
    await bus.close()
    await store.close()


def sender(service: NotifyService, server: MailServer, smtp: SmtpAccount) -> EmailSender:
    identity = SenderIdentity(server.office_address, "Urząd Gminy Testowo")
    return EmailSender(
        service, InProcessBus(), SmtpSender(smtp), identity, domain="gmina.test",
        office="Urząd Gminy Testowo", links=LINKS, retry_seconds=0,
    )  # fmt: skip


async def test_every_recipient_gets_the_warning_once(
    service: NotifyService, mail_server: MailServer, mail_user: MailUser
) -> None:
    others = [new_mail_user(mail_server) for _ in range(2)]
    people = [Recipient("email", u.address, f"subscriber:{n}")
              for n, u in enumerate([mail_user, *others])]  # fmt: skip
    assert (await service.send("warning:3", WARNING, people))["queued"] == 3
    mailer = sender(service, mail_server, account(mail_server))
    while await mailer.round():
        pass
    deliveries = await service.deliveries("warning:3")
    assert {d["status"] for d in deliveries} == {"delivered"}
    for person, delivery in zip([mail_user, *others], deliveries, strict=True):
        raw = mail_server.wait_for(person.address, lambda r: b"powiadomienie-" in r)
        message = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(message, email.message.EmailMessage)
        assert str(message["Subject"]) == WARNING.subject
        assert message["Message-ID"] == f"<powiadomienie-{delivery['id']}@gmina.test>"
        body = message.get_body(("plain",))
        assert body is not None
        text = str(body.get_content())
        assert text.startswith(WARNING.text) and LINKS.url(delivery["id"]) in text
        assert "Urząd Gminy Testowo" in text
        assert len(mail_server.messages(person.address)) == 1


async def test_an_unreachable_server_is_tried_again_then_given_up(
    service: NotifyService, mail_server: MailServer, mail_user: MailUser
) -> None:
    others = [new_mail_user(mail_server).address for _ in range(2)]
    people = [Recipient("email", a) for a in [mail_user.address, *others]]
    await service.send("warning:4", WARNING, people)
    [closed] = free_ports(1)
    mailer = sender(service, mail_server, account(mail_server, port=closed, timeout=3))
    assert await mailer.round() == 3
    first, *rest = await service.deliveries("warning:4")
    assert first["status"] == "queued" and first["attempts"] == 1
    assert "brak połączenia" in first["detail"]
    # The server is down: the rest of the round went back untried, no attempt spent.
    assert [(d["status"], d["attempts"]) for d in rest] == [("queued", 0), ("queued", 0)]
    assert all(d["detail"] == "serwer poczty niedostępny" for d in rest)
    while await mailer.round():
        pass
    deliveries = await service.deliveries("warning:4")
    assert {(d["status"], d["attempts"]) for d in deliveries} == {("failed", 2)}
    # Back up: the same warning to a new recipient goes out.
    await service.send(
        "warning:4", WARNING, [Recipient("email", new_mail_user(mail_server).address)]
    )
    working = sender(service, mail_server, account(mail_server))
    assert await working.round() == 1
    assert (await service.deliveries("warning:4"))[-1]["status"] == "delivered"


async def test_refused_credentials_fail_at_once(
    service: NotifyService, mail_server: MailServer, mail_user: MailUser
) -> None:
    await service.send("warning:5", WARNING, [Recipient("email", mail_user.address)])
    mailer = sender(service, mail_server, account(mail_server, password="złe-hasło"))
    assert await mailer.round() == 1
    [delivery] = await service.deliveries("warning:5")
    assert delivery["status"] == "failed" and "535" in delivery["detail"]
    assert mail_server.messages(mail_user.address) == []


async def test_a_warning_letter_carries_its_recipients_one_click_unsubscribe(
    service: NotifyService, mail_server: MailServer, mail_user: MailUser
) -> None:
    other = new_mail_user(mail_server)
    people = [Recipient("email", mail_user.address, "subscription:7"),
              Recipient("email", other.address, "newsletter:3")]  # fmt: skip
    await service.send("warning:4", WARNING, people)
    mailer = sender(service, mail_server, account(mail_server))
    asked: list[str] = []

    async def link(recipient: str) -> str:
        asked.append(recipient)
        kind, _, ident = recipient.partition(":")
        return f"https://portal.gmina.test/e-urzad/ostrzezenia/wypisz/t{ident}" if kind == (
            "subscription") else ""  # fmt: skip

    mailer.add_unsubscribe("warning", link)
    while await mailer.round():
        pass
    assert sorted(asked) == ["newsletter:3", "subscription:7"]
    raw = mail_server.wait_for(mail_user.address, lambda r: b"powiadomienie-" in r)
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, email.message.EmailMessage)
    wanted = "https://portal.gmina.test/e-urzad/ostrzezenia/wypisz/t7"
    assert message["List-Unsubscribe"] == f"<{wanted}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    body = message.get_body(("plain",))
    assert body is not None and wanted in body.get_content()
    plain = email.message_from_bytes(
        mail_server.wait_for(other.address, lambda r: b"powiadomienie-" in r),
        policy=email.policy.default,
    )  # fmt: skip
    assert plain["List-Unsubscribe"] is None  # no link for that reference: none made up
