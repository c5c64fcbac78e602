"""The message queue end to end: a resident's e-mail through the real Postfix and Dovecot, the
controller reading the office's mailbox, the agent's console in headless Chromium, a real
call from the same resident in between, and the supervisor's wallboard.

A resident on record (phone number and e-mail address) writes to the office. The e-mail
appears live in the agent's queue; she takes it, reads it (plain text, then the sanitised HTML
in a sandboxed frame; the accepted attachment as a link, the refused one with its reason) and
starts a reply. The resident calls: the console rings, the call panel takes the focus, the
screen pop lists yesterday's e-mail among the earlier contacts, and after the call (and a page
reload) the draft is still there. She sends the reply: it arrives in the resident's mailbox on
Dovecot threaded under his message ([ZGL-n] in the subject). The supervisor's wallboard counts
the queue live, lists the overdue message and a failed answer, and "Wyślij ponownie" sends it.
A message with his address that the office's server found forged is flagged "Nadawca
niepotwierdzony" and not put on his record.
"""

from __future__ import annotations

import email
import email.policy
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

import pytest
from sqlalchemy import select

from cic.auth import users
from cic.cases.models import ContactReport
from cic.channels import outbox
from cic.channels.models import ChannelMessage
from cic.db import Store
from cic.demo.scenarios import ResidentCall
from cic.residents.models import ResidentEmail
from tests.e2e.test_console import (
    click,
    data,
    element,
    page_state,
    sign_in,
    visible,
    wait_data,
)
from tests.integration.harness import Harness
from tests.mailfixtures import MailUser
from tests.mailserver import MailServer

pytestmark = pytest.mark.e2e

AGENT, SUPERVISOR = "msg-marta", "msg-nadzor"
PASSWORDS = {AGENT: "haslo-marty-12345", SUPERVISOR: "haslo-nadzoru-12345"}
CALLER = "48500100733"
SUBJECT = "Wycinka drzewa – zażółć gęślą jaźń"
TEXT = "Dzień dobry,\nczy potrzebne jest zezwolenie na wycinkę orzecha?\n<b>nie pogrubiać</b>"
HTML = "<p>Dzień dobry,</p><p>czy potrzebne jest <b>zezwolenie</b> na wycinkę orzecha?</p>"
DRAFT = "Szanowny Panie, zezwolenie jest potrzebne, "
REST = "gdy obwód pnia przekracza 80 cm. Pozdrawiam – Marta"
FORGED_SUBJECT = "Proszę o dane z mojej sprawy"
AUTHSERV = "mx.gmina.test"  # the office's own server, whose Authentication-Results count
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _mail_env(server: MailServer) -> dict[str, str]:
    """The controller's settings for the office's mailbox on the test mail system."""
    office, password = server.office_address, server.office_password
    return {
        "CIC_MAIL__ENABLED": "true",
        "CIC_MAIL__ADDRESS": office,
        "CIC_MAIL__DISPLAY_NAME": "Urząd Gminy Testowo",
        "CIC_MAIL__IMAP_HOST": "127.0.0.1",
        "CIC_MAIL__IMAP_PORT": str(server.imap_port),
        "CIC_MAIL__IMAP_TLS": "starttls",
        "CIC_MAIL__IMAP_USER": office,
        "CIC_MAIL__IMAP_PASSWORD": password,
        "CIC_MAIL__SMTP_HOST": "127.0.0.1",
        "CIC_MAIL__SMTP_PORT": str(server.submission_port),
        "CIC_MAIL__SMTP_TLS": "starttls",
        "CIC_MAIL__SMTP_USER": office,
        "CIC_MAIL__SMTP_PASSWORD": password,
        "CIC_MAIL__CA_FILE": str(server.ca_file),
        "CIC_MAIL__POLL_SECONDS": "2",
        "CIC_MAIL__AUTHSERV_IDS": f'["{AUTHSERV}"]',
    }


@pytest.fixture(scope="module")
def mail_controller(
    tmp_path_factory: pytest.TempPathFactory, mail_server: MailServer
) -> Iterator[Harness]:
    """Asterisk and a controller of their own, reading the office's mailbox on the test mail
    system (not the shared e2e controller restarted: other modules' database connections in
    this process would not see what the new controller writes)."""
    state = tmp_path_factory.mktemp("cic-e2e-mail-state")
    with Harness.running(state, **_mail_env(mail_server)) as h:
        yield h


def _store_run(h: Harness, work: Callable[[Any], Any]) -> Any:
    store = Store(h.settings.db_url)
    try:
        return store.run_sync(work)
    finally:
        store.engine.dispose()


def _seed(h: Harness, resident_address: str) -> int:
    """The agent and the supervisor; the resident with his number and e-mail address."""
    h.api("POST", "/api/agents", {"username": AGENT, "display_name": "Marta Mailowa"})
    now = datetime.now(UTC)

    def accounts(db: Any) -> None:
        users.add(db, AGENT, "Marta Mailowa", "agent", PASSWORDS[AGENT], agent_username=AGENT,
                  now=now)  # fmt: skip
        users.add(db, SUPERVISOR, "Nadzorca Poczty", "supervisor", PASSWORDS[SUPERVISOR],
                  now=now)  # fmt: skip

    _store_run(h, accounts)
    resident = h.api("POST", "/api/residents", {"name": "Jan Mailowy", "numbers": [CALLER]})
    _store_run(h, lambda db: db.add(ResidentEmail(resident_id=resident["id"],
                                                  address=resident_address)))  # fmt: skip
    return int(resident["id"])


def _resident_mail(resident: MailUser, office: str) -> tuple[bytes, str]:
    """The resident's message: text and HTML, a PDF and a program; (raw, Message-ID)."""
    msg = EmailMessage()
    msg["From"] = f"Jan Mailowy <{resident.address}>"
    msg["To"] = office
    msg["Subject"] = SUBJECT
    msg["Message-ID"] = make_msgid(domain="mieszkaniec.test")
    msg["Date"] = email.utils.format_datetime(datetime.now(UTC))
    msg.set_content(TEXT)
    msg.add_alternative(HTML, subtype="html")
    msg.add_attachment(PDF, maintype="application", subtype="pdf", filename="wniosek.pdf")
    msg.add_attachment(b"MZ\x90\x00" + b"\x00" * 60, maintype="application",
                       subtype="octet-stream", filename="faktura.exe")  # fmt: skip
    return msg.as_bytes(policy=email.policy.SMTP), str(msg["Message-ID"])


def _plain(raw: bytes) -> str:
    """The plain-text body of a raw message ('' when it has none)."""
    part = email.message_from_bytes(raw, policy=email.policy.default).get_body(("plain",))
    return str(part.get_content()) if part is not None else ""


def _forged_mail(resident: MailUser, office: str) -> bytes:
    """A message with the resident's address that the office's server found forged."""
    msg = EmailMessage()
    msg["Authentication-Results"] = f"{AUTHSERV}; dmarc=fail header.from=mieszkaniec.test"
    msg["From"] = resident.address
    msg["To"] = office
    msg["Subject"] = FORGED_SUBJECT
    msg["Message-ID"] = make_msgid(domain="oszust.example")
    msg.set_content("Proszę przesłać numer PESEL i adres z mojej sprawy.")
    return msg.as_bytes(policy=email.policy.SMTP)


def _text(driver: Any, css: str) -> str:
    script = "const n = document.querySelector(arguments[0]); return n ? n.textContent : '';"
    return str(driver.execute_script(script, css))


def _answer_state(driver: Any, text: str) -> str:
    """The send state of the outgoing message in the thread that says ``text`` ('' if none;
    the acknowledgement is an outgoing message too)."""
    script = """
        const li = Array.from(document.querySelectorAll('#msg-thread li.msg-out'))
            .find((m) => m.textContent.includes(arguments[0]));
        return li ? li.dataset.sendState : '';
    """
    return str(driver.execute_script(script, text))


def _tile(driver: Any) -> dict[str, str]:
    ids = ("mq-waiting", "mq-in-progress", "mq-overdue", "mq-failed")
    return {i: _text(driver, f"#{i}") for i in ids}


def _overdue_and_failed(h: Harness, report: int, to: str) -> int:
    """The report past its reply target, and an earlier answer the outbox gave up on; the
    failed message's id."""

    def work(db: Any) -> int:
        row = db.get(ContactReport, report)
        row.reply_due = date.today() - timedelta(days=30)
        subject, text = f"Wcześniejsza odpowiedź [ZGL-{report}]", "Odpowiedź, która nie wyszła."
        letter = outbox.Letter(to=to, subject=subject, text=text, purpose="odpowiedz")
        failed = outbox.queue(db, report, letter, author=AGENT, domain="gmina.test")
        failed.send_state, failed.attempts = "blad", 8
        failed.last_error = "451 4.3.0 serwer poczty chwilowo niedostępny (test)"
        return int(failed.id)

    return int(_store_run(h, work))


def test_agent_answers_an_email_across_a_call_and_the_wallboard_counts_it(
    mail_controller: Harness,
    mail_server: MailServer,
    mail_user: MailUser,
    chromium_factory: Callable[[], Any],
    tone: str,
) -> None:
    from selenium.webdriver.common.by import By

    h = mail_controller
    base = f"http://127.0.0.1:{h.settings.web_port}"
    _seed(h, mail_user.address)

    agent = chromium_factory()
    sign_in(agent, base, AGENT, PASSWORDS[AGENT], "/konsola")
    wait_data(agent, "sip", "registered", 20, "the console's softphone registered")
    click(agent, "#btn-available")
    wait_data(agent, "presence", "available", 15)
    boss = chromium_factory()
    sign_in(boss, base, SUPERVISOR, PASSWORDS[SUPERVISOR], "/nadzor")
    Harness.wait_for(lambda: _tile(boss)["mq-waiting"] == "0", 15, "the tile with no message",
                     lambda: _tile(boss))  # fmt: skip

    # The resident writes; the message shows in the console's queue live (no reload).
    raw, message_id = _resident_mail(mail_user, mail_server.office_address)
    mail_server.send(raw, mail_user.address, [mail_server.office_address])
    line = "#msg-waiting li[data-report]"
    Harness.wait_for(lambda: SUBJECT in _text(agent, line), 40, "the e-mail in the queue",
                     lambda: (page_state(agent), mail_server.logs()))  # fmt: skip
    report = int(element(agent, line).get_attribute("data-report"))
    queued = _text(agent, line)
    assert "e-mail" in queued and mail_user.address in queued, queued
    assert "załączniki: 2" in queued, queued
    Harness.wait_for(lambda: _tile(boss)["mq-waiting"] == "1", 15, "the tile counting it",
                     lambda: _tile(boss))  # fmt: skip
    failed_id = _overdue_and_failed(h, report, mail_user.address)

    # She takes it and reads it.
    click(agent, f'#msg-waiting li[data-report="{report}"] button')
    wait_data(agent, "message", str(report), 10, "the message open")
    assert _text(agent, "#message-focus") == f"Pracujesz nad wiadomością nr {report}"
    incoming = "#msg-thread li.msg-in"
    assert "zezwolenie na wycinkę orzecha" in _text(agent, f"{incoming} .msg-text")
    assert "<b>nie pogrubiać</b>" in _text(agent, f"{incoming} .msg-text")  # text, not markup
    assert not agent.find_elements(By.CSS_SELECTOR, "#msg-reader b, #msg-reader script")
    assert not agent.find_elements(By.CSS_SELECTOR, ".sender-warning, .unparseable")
    link = element(agent, f"{incoming} .msg-attachments a")
    assert link.text == "wniosek.pdf" and "/api/zalaczniki/" in link.get_attribute("href")
    refused = _text(agent, f"{incoming} .msg-attachments li.rejected")
    assert "faktura.exe" in refused and "nie przyjęto" in refused, refused
    click(agent, f"{incoming} .msg-html-toggle")
    frame = element(agent, f"{incoming} iframe.msg-html")
    assert frame.get_attribute("sandbox") == "", "the HTML frame must be fully sandboxed"
    agent.switch_to.frame(frame)
    try:
        shown = agent.find_element(By.TAG_NAME, "body").text
        bold = [b.text for b in agent.find_elements(By.TAG_NAME, "b")]
    finally:
        agent.switch_to.default_content()
    assert "zezwolenie" in shown and bold == ["zezwolenie"], (shown, bold)
    element(agent, "#msg-reply-text").send_keys(DRAFT)

    # The wallboard: taken (in progress), overdue, the failed answer listed.
    Harness.wait_for(
        lambda: _tile(boss) == {"mq-waiting": "0", "mq-in-progress": "1", "mq-overdue": "1",
                                "mq-failed": "1"},
        15, "the tile after the take", lambda: _tile(boss),
    )  # fmt: skip
    Harness.wait_for(
        lambda: visible(boss, f'#overdue tr[data-report="{report}"]')
        and visible(boss, f'#failed tr[data-message="{failed_id}"]'),
        15, "the overdue and failed lists", lambda: page_state(boss),
    )  # fmt: skip

    # The resident calls while the draft is open: the call takes the focus, the pop lists
    # his e-mail with the calls, the draft stays.
    caller = h.call(ResidentCall(number=CALLER, name="Jan Mailowy", audio_pcap=tone,
                                 hangup_after_ms=60_000))  # fmt: skip
    wait_data(agent, "call", "ringing", 40, "the console ringing")
    contact = f'#history li[data-channel="email"][data-report="{report}"]'
    Harness.wait_for(lambda: visible(agent, contact), 10, "the e-mail in the pop",
                     lambda: page_state(agent))  # fmt: skip
    popped = _text(agent, contact)
    assert SUBJECT in popped and "e-mail" in popped and "czeka na odpowiedź" in popped, popped
    assert agent.execute_script("return document.activeElement.id") == "call-panel"
    click(agent, "#btn-answer")
    wait_data(agent, "call", "active", 10)
    click(agent, "#btn-hangup")
    wait_data(agent, "call", "ended", 10)
    assert caller.wait(30) == 0, caller.errors()
    assert element(agent, "#msg-reply-text").get_attribute("value") == DRAFT

    # A reload brings the message and its draft back.
    agent.refresh()
    wait_data(agent, "message", str(report), 15, "the message open again after a reload")
    Harness.wait_for(
        lambda: element(agent, "#msg-reply-text").get_attribute("value") == DRAFT, 5,
        "the draft restored", lambda: page_state(agent),
    )  # fmt: skip

    # She finishes and sends; the thread shows the answer sent.
    element(agent, "#msg-reply-text").send_keys(REST)
    click(agent, "#btn-msg-send")
    Harness.wait_for(lambda: _answer_state(agent, REST) == "wyslana", 30, "the answer sent",
                     lambda: page_state(agent))  # fmt: skip
    assert element(agent, "#msg-reply-text").get_attribute("value") == ""
    assert agent.execute_script("return sessionStorage.getItem(arguments[0])",
                                f"cic.draft.{report}") is None  # fmt: skip

    # The resident's mailbox on Dovecot: the answer, threaded under his message.
    got = mail_server.wait_for(mail_user.address, lambda r: REST in _plain(r), 30)
    answer = email.message_from_bytes(got, policy=email.policy.default)
    assert answer["In-Reply-To"] == message_id, answer["In-Reply-To"]
    assert message_id in str(answer["References"])
    assert f"[ZGL-{report}]" in str(answer["Subject"]) and "Wycinka drzewa" in str(
        answer["Subject"]
    )
    assert (DRAFT + REST) in _plain(got)

    # The supervisor sends the failed answer again; it reaches the resident.
    click(boss, f'#failed tr[data-message="{failed_id}"] button[data-action="retry-send"]')
    mail_server.wait_for(mail_user.address, lambda r: "nie wyszła" in _plain(r), 30)
    sent = _store_run(h, lambda db: db.scalar(
        select(ChannelMessage.send_state).where(ChannelMessage.id == failed_id)))  # fmt: skip
    assert sent == "wyslana"
    Harness.wait_for(lambda: not visible(boss, f'#failed tr[data-message="{failed_id}"]'), 15,
                     "the failed list emptied", lambda: page_state(boss))  # fmt: skip
    Harness.wait_for(lambda: _tile(boss)["mq-failed"] == "0", 15, "no failed send counted",
                     lambda: _tile(boss))  # fmt: skip
    assert data(agent, "message") == str(report)  # still open: the answer did not close it

    # Someone forges the resident's address: the console warns, it is not put on his record.
    mail_server.send(_forged_mail(mail_user, mail_server.office_address), mail_user.address,
                     [mail_server.office_address])  # fmt: skip
    Harness.wait_for(lambda: FORGED_SUBJECT in _text(agent, line), 40, "the forged message",
                     lambda: page_state(agent))  # fmt: skip
    forged = int(element(agent, line).get_attribute("data-report"))
    click(agent, f'#msg-waiting li[data-report="{forged}"] button')
    wait_data(agent, "message", str(forged), 10, "the forged message open")
    warning = _text(agent, "#msg-thread li.msg-in .sender-warning")
    assert warning.startswith("Nadawca niepotwierdzony"), page_state(agent)
    assert h.api("GET", f"/api/zgloszenia/{forged}")["resident_id"] is None
