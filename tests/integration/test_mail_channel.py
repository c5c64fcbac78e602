"""The e-mail channel end to end: a real Dovecot + Postfix (tests/mailserver.py), the real
controller reading the office's mailbox over IMAP and sending through SMTP submission, and a
real call through Asterisk.

- a resident's message becomes a report with its attachments and is acknowledged, threaded;
- an agent's reply from the console API arrives in the resident's mailbox, threaded, and the
  resident's answer to it continues the same report;
- the controller killed and Dovecot restarted in the middle of a burst: every message is one
  report, none lost, none twice;
- hostile mail (malformed MIME, a 50 MB attachment, an executable, script in HTML, a forged
  From, a mail loop) is kept, shown safely and never answered;
- a resident who wrote and then calls gets the e-mail in the agent's screen pop.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import signal
import time
from collections.abc import Callable, Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from sqlalchemy.orm import Session

from cic.db import Store
from cic.demo.scenarios import ResidentCall
from cic.residents.models import Resident, ResidentEmail, ResidentNumber
from tests.integration.harness import Harness
from tests.integration.test_odd_input import Browser, seed
from tests.mailfixtures import MailUser, new_mail_user
from tests.mailserver import MailServer

pytestmark = pytest.mark.integration
PDF = b"%PDF-1.4\n% wniosek testowy\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"
CALLER = "48500100888"


@pytest.fixture(scope="module")
def office(mail_server: MailServer) -> MailUser:
    """The office's own mailbox for this module (kontakt-…@gmina.test)."""
    return new_mail_user(mail_server, "gmina.test")


@pytest.fixture(scope="module")
def mailpbx(
    tmp_path_factory: pytest.TempPathFactory, mail_server: MailServer, office: MailUser
) -> Iterator[Harness]:
    """Asterisk and a controller with the office's mailbox connected."""
    env = {
        "CIC_MAIL__ENABLED": "true",
        "CIC_MAIL__ADDRESS": office.address,
        "CIC_MAIL__DISPLAY_NAME": "Urząd Gminy Testowo",
        "CIC_MAIL__IMAP_HOST": "127.0.0.1",
        "CIC_MAIL__IMAP_PORT": str(mail_server.imap_port),
        "CIC_MAIL__IMAP_TLS": "starttls",
        "CIC_MAIL__IMAP_USER": office.address,
        "CIC_MAIL__IMAP_PASSWORD": office.password,
        "CIC_MAIL__SMTP_HOST": "127.0.0.1",
        "CIC_MAIL__SMTP_PORT": str(mail_server.submission_port),
        "CIC_MAIL__SMTP_TLS": "starttls",
        "CIC_MAIL__SMTP_USER": office.address,
        "CIC_MAIL__SMTP_PASSWORD": office.password,
        "CIC_MAIL__CA_FILE": str(mail_server.ca_file),
        "CIC_MAIL__ACKS_PER_SENDER_PER_DAY": "1000",
        "CIC_MAIL__RETRY_SECONDS": "1",
        "CIC_MAIL__SIGNATURE": "Urząd Gminy Testowo, ul. Przykładowa 1",
    }
    with Harness.running(tmp_path_factory.mktemp("mail-channel"), **env) as harness:
        yield harness


def letter(sender: str, to: str, subject: str, text: str, **headers: str) -> EmailMessage:
    """A resident's message with a fresh Message-ID."""
    mail = EmailMessage()
    mail["From"] = f"Mieszkanka Testowa <{sender}>"
    mail["To"] = to
    mail["Subject"] = subject
    mail["Message-ID"] = f"<{secrets.token_hex(8)}@mieszkaniec.test>"
    for name, value in headers.items():
        mail[name.replace("_", "-")] = value
    mail.set_content(text)
    return mail


def reports_about(h: Harness, topic: str) -> list[dict[str, Any]]:
    found = h.api("GET", "/api/zgloszenia?channel=email&limit=500")
    return [r for r in found if r["topic"] == topic]


def wait_report(h: Harness, topic: str, timeout: float = 30) -> dict[str, Any]:
    """The report made of the message with this subject (exactly one)."""
    deadline = time.monotonic() + timeout
    while not (found := reports_about(h, topic)):
        assert time.monotonic() < deadline, f"no report {topic!r}"
        time.sleep(0.2)
    assert len(found) == 1, found
    return found[0]


def parsed(raw: bytes) -> EmailMessage:
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def tagged(tag: str) -> Callable[[bytes], bool]:
    """Matches a message whose decoded subject carries ``tag``."""
    return lambda raw: tag in str(parsed(raw)["Subject"] or "")


def reply_tagged(tag: str) -> Callable[[bytes], bool]:
    """Matches a person's answer (not an automatic one) whose subject carries ``tag``."""
    return lambda raw: tagged(tag)(raw) and parsed(raw)["Auto-Submitted"] is None


def test_a_message_becomes_a_report_with_attachments_and_is_acknowledged(
    mailpbx: Harness, mail_server: MailServer, office: MailUser, mail_user: MailUser
) -> None:
    subject = f"Wniosek o wycinkę drzewa {secrets.token_hex(3)}"
    mail = letter(mail_user.address, office.address, subject, "Dzień dobry, w załączniku wniosek.")
    mail.add_attachment(PDF, maintype="application", subtype="pdf", filename="wniosek.pdf")
    mail.add_attachment("mapa działki".encode(), maintype="text", subtype="plain",
                        filename="opis działki.txt")  # fmt: skip
    mail_server.send(bytes(mail), mail_user.address, [office.address])
    report = wait_report(mailpbx, subject)
    assert (report["channel"], report["contact"], report["status"]) == (
        "email",
        mail_user.address,
        "nowe",
    )
    assert report["waiting_since"] and report["reply_due"]
    thread = mailpbx.api("GET", f"/api/zgloszenia/{report['id']}/wiadomosci")
    incoming = [m for m in thread["messages"] if m["direction"] == "in"]
    assert [m["subject"] for m in incoming] == [subject]
    files = {a["filename"]: a for a in incoming[0]["attachments"]}
    assert files["wniosek.pdf"]["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert files["wniosek.pdf"]["size"] == len(PDF) and not files["wniosek.pdf"]["rejected"]
    assert "opis działki.txt" in files
    state = mailpbx.api("GET", "/api/wiadomosci/skrzynka")
    assert state["enabled"] and state["taken"] >= 1 and state["last_error"] == "", state

    tag = f"[ZGL-{report['id']}]"
    ack = parsed(mail_server.wait_for(mail_user.address, tagged(tag), 30))
    assert ack["In-Reply-To"] == mail["Message-ID"]
    assert ack["Auto-Submitted"] == "auto-replied"
    assert office.address in ack["From"] and tag in ack["Subject"]
    body = ack.get_body(("plain",))
    assert body is not None and str(report["id"]) in body.get_content()


def test_a_reply_from_the_console_arrives_threaded_and_the_answer_continues_the_report(
    mailpbx: Harness, mail_server: MailServer, office: MailUser, mail_user: MailUser
) -> None:
    subject = f"Pytanie o podatek {secrets.token_hex(3)}"
    mail = letter(mail_user.address, office.address, subject, "Ile wynosi podatek od psa?")
    mail_server.send(bytes(mail), mail_user.address, [office.address])
    report = wait_report(mailpbx, subject)
    seed(mailpbx, ("mail-konsultant", "Konsultantka Poczty", "agent", None))

    async def answer() -> None:
        browser = Browser(f"http://127.0.0.1:{mailpbx.settings.web_port}")
        try:
            await browser.sign_in("mail-konsultant")
            status, taken = await browser.post(f"/api/zgloszenia/{report['id']}/przejmij", {})
            assert status == 200 and taken["owner"] == "mail-konsultant", taken
            status, sent = await browser.post(
                f"/api/zgloszenia/{report['id']}/odpowiedz",
                {"text": "Dzień dobry, stawka wynosi 50 zł rocznie."},
            )
            assert status == 202 and sent["send_state"] == "oczekuje", sent
        finally:
            await browser.http.close()

    asyncio.run(answer())
    tag = f"[ZGL-{report['id']}]"
    raw = mail_server.wait_for(mail_user.address, reply_tagged(tag), 30)
    reply = parsed(raw)
    assert reply["In-Reply-To"] == mail["Message-ID"]
    assert mail["Message-ID"] in reply["References"]
    assert reply["Subject"].startswith("Re:") and tag in reply["Subject"]
    text = reply.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "50 zł" in text and "Urząd Gminy Testowo, ul. Przykładowa 1" in text

    answer_mail = letter(mail_user.address, office.address, f"Re: {reply['Subject']}",
                         "Dziękuję, a kiedy termin płatności?")  # fmt: skip
    answer_mail["In-Reply-To"] = reply["Message-ID"]
    answer_mail["References"] = f"{mail['Message-ID']} {reply['Message-ID']}"
    mail_server.send(bytes(answer_mail), mail_user.address, [office.address])
    deadline = time.monotonic() + 30
    while True:
        thread = mailpbx.api("GET", f"/api/zgloszenia/{report['id']}/wiadomosci")
        incoming = [m for m in thread["messages"] if m["direction"] == "in"]
        if len(incoming) == 2:
            break
        assert time.monotonic() < deadline, thread
        time.sleep(0.2)
    assert thread["report"]["waiting_since"], "the resident's answer waits for the office again"
    assert len(reports_about(mailpbx, answer_mail["Subject"])) == 0  # no new report for it


def test_a_crash_and_a_dovecot_restart_mid_burst_lose_and_duplicate_nothing(
    mailpbx: Harness, mail_server: MailServer, office: MailUser, mail_user: MailUser
) -> None:
    run = secrets.token_hex(3)
    subjects = [f"Seria {run} nr {i}" for i in range(40)]
    ids = []
    for subject in subjects:
        mail = letter(mail_user.address, office.address, subject, "Zgłaszam dziurę w drodze.")
        ids.append(mail["Message-ID"])
        mail_server.send(bytes(mail), mail_user.address, [office.address])
    deadline = time.monotonic() + 30
    while not any(reports_about(mailpbx, s) for s in subjects[:5]):
        assert time.monotonic() < deadline, "ingestion did not start"
        time.sleep(0.05)
    mailpbx.stop_controller(signal.SIGKILL)  # a crash in the middle of the burst
    mail_server.restart_dovecot()
    mailpbx.start_controller()
    time.sleep(1.0)
    mail_server.restart_dovecot()  # and the mailbox drops the reader once more
    deadline = time.monotonic() + 90
    while True:
        found = mailpbx.api("GET", "/api/zgloszenia?channel=email&limit=500")
        mine = [r for r in found if r["topic"].startswith(f"Seria {run} ")]
        if len(mine) >= len(subjects):
            break
        assert time.monotonic() < deadline, f"{len(mine)} of {len(subjects)} reports"
        time.sleep(0.3)
    assert sorted(r["topic"] for r in mine) == sorted(subjects)  # none twice
    acks = mail_server.wait_for(mail_user.address, lambda raw: True, 5)
    assert acks
    deadline = time.monotonic() + 60
    while True:
        answered = {
            parsed(raw)["In-Reply-To"]: parsed(raw)["Message-ID"]
            for raw in mail_server.messages(mail_user.address)
            if b"auto-replied" in raw
        }
        if set(ids) <= set(answered):
            break
        assert time.monotonic() < deadline, f"{len(set(ids) & set(answered))} acknowledged"
        time.sleep(0.3)
    # At most once per message too: a resend after a crash keeps its Message-ID.
    ack_ids = [
        parsed(raw)["Message-ID"] for raw in mail_server.messages(mail_user.address)
        if parsed(raw)["In-Reply-To"] in set(ids)
    ]  # fmt: skip
    assert len(set(ack_ids)) == len(ids)


def test_hostile_mail_is_kept_shown_safely_and_never_answered(
    mailpbx: Harness, mail_server: MailServer, office: MailUser, mail_user: MailUser
) -> None:
    run = secrets.token_hex(3)
    sender = mail_user.address
    malformed = (
        f"From: {sender}\r\nTo: {office.address}\r\nSubject: Zepsuta {run}\r\n"
        f"Message-ID: <zepsuta-{run}@mieszkaniec.test>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="XYZ"\r\n\r\n--XYZ\r\n'
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        "To nie jest base64 !!!\r\n--XYZ\r\nContent-Type: application/pdf\r\n"
    ).encode()
    huge = letter(sender, office.address, f"Duży załącznik {run}", "Skan w załączniku.")
    huge.add_attachment(b"%PDF-1.4\n" + b"\x00" * (50 * 1024 * 1024), maintype="application",
                        subtype="pdf", filename="skan.pdf")  # fmt: skip
    exe = letter(sender, office.address, f"Faktura {run}", "Proszę otworzyć fakturę.")
    exe.add_attachment(b"MZ\x90\x00" + b"\x00" * 200, maintype="application", subtype="pdf",
                       filename="faktura.pdf")  # fmt: skip
    script = letter(sender, office.address, f"Skrypt {run}", "zwykły tekst")
    script.add_alternative(
        "<p onclick='alert(1)'>Dzień dobry</p><script>alert(document.cookie)</script>"
        "<a href='javascript:alert(2)'>link</a>", subtype="html")  # fmt: skip
    forged = letter(office.address, office.address, f"Podszywka {run}", "Tu urząd, zapłać.")
    loop = letter(sender, office.address, f"Pętla {run}", "Odbite", X_CIC_Loop=office.address)
    for raw in (malformed, bytes(huge), bytes(exe), bytes(script), bytes(forged), bytes(loop)):
        mail_server.send(raw, sender, [office.address])

    broken = wait_report(mailpbx, f"Zepsuta {run}", 60)
    messages = mailpbx.api("GET", f"/api/zgloszenia/{broken['id']}/wiadomosci")["messages"]
    assert messages[0]["defects"], messages[0]
    big = wait_report(mailpbx, f"Duży załącznik {run}", 90)
    [scan] = mailpbx.api("GET", f"/api/zgloszenia/{big['id']}/wiadomosci")["messages"][0][
        "attachments"
    ]
    assert scan["rejected"] and scan["size"] >= 50 * 1024 * 1024, scan
    bad = wait_report(mailpbx, f"Faktura {run}", 30)
    [invoice] = mailpbx.api("GET", f"/api/zgloszenia/{bad['id']}/wiadomosci")["messages"][0][
        "attachments"
    ]
    assert "wykonywalny" in invoice["rejected"], invoice
    html = wait_report(mailpbx, f"Skrypt {run}", 30)
    [shown] = mailpbx.api("GET", f"/api/zgloszenia/{html['id']}/wiadomosci")["messages"][:1]
    assert "<script" not in shown["html"] and "onclick" not in shown["html"]
    assert "javascript:" not in shown["html"] and "Dzień dobry" in shown["html"]

    deadline = time.monotonic() + 30
    while True:
        automatic = {m["subject"] for m in mailpbx.api("GET", "/api/wiadomosci/automatyczne")}
        if {f"Podszywka {run}", f"Pętla {run}"} <= automatic:
            break
        assert time.monotonic() < deadline, automatic
        time.sleep(0.3)
    assert not reports_about(mailpbx, f"Podszywka {run}")
    assert not reports_about(mailpbx, f"Pętla {run}")
    # Acknowledged: the four residents' messages; never the forged one or the loop (the
    # office's own mailbox would get those answers).
    for raw in mail_server.messages(office.address):
        assert b"auto-replied" not in raw, "the office answered itself"
    assert mailpbx.api("GET", "/api/status")["ami"]["connected"]


def test_a_resident_who_wrote_and_then_calls_gets_the_email_in_the_screen_pop(
    mailpbx: Harness, mail_server: MailServer, office: MailUser, mail_user: MailUser
) -> None:
    def add_resident(session: Session) -> int:
        resident = Resident(name="Halina Testowa")
        session.add(resident)
        session.flush()
        session.add(ResidentNumber(resident_id=resident.id, number=f"+{CALLER}"))
        session.add(ResidentEmail(resident_id=resident.id, address=mail_user.address))
        return resident.id

    store = Store(mailpbx.settings.db_url)
    try:
        resident_id = store.run_sync(add_resident)
    finally:
        store.engine.dispose()
    subject = f"Wywóz odpadów {secrets.token_hex(3)}"
    mail_server.send(bytes(letter(mail_user.address, office.address, subject,
                                  "Nie odebrano śmieci z ulicy Polnej.")),
                     mail_user.address, [office.address])  # fmt: skip
    report = wait_report(mailpbx, subject)
    assert report["resident_id"] == resident_id

    agent = "mail-pop"
    mailpbx.login(agent)
    seed(mailpbx, ("mail-pop-konsultant", "Konsultant Okna", "agent", agent))
    mailpbx.wait_for(lambda: mailpbx.api("GET", f"/api/agents/{agent}")["state"] == "available",
                     20, "the SIPp agent available")  # fmt: skip

    async def pop() -> dict[str, Any]:
        base = f"http://127.0.0.1:{mailpbx.settings.web_port}"
        browser = Browser(base)
        try:
            await browser.sign_in("mail-pop-konsultant")
            async with browser.http.ws_connect(f"{base}/ws/agent", headers={"Origin": base}) as ws:
                resident = mailpbx.call(ResidentCall(number=CALLER, hangup_after_ms=20_000))
                found: dict[str, Any] = {}
                seen: list[str] = []
                deadline = time.monotonic() + 60
                while not found:
                    left = deadline - time.monotonic()
                    assert left > 0, f"no screen pop; got {seen}"
                    try:
                        message = await asyncio.wait_for(ws.receive_json(), left)
                    except TimeoutError:
                        raise AssertionError(f"no screen pop; got {seen}") from None
                    seen.append(str(message.get("type")))
                    if message.get("type") == "ScreenPop":
                        found = message
                assert await asyncio.to_thread(resident.wait, 60) == 0, resident.errors()
                return found
        finally:
            await browser.http.close()

    screen = asyncio.run(pop())
    assert screen["resident"]["id"] == resident_id
    contacts = {c["report"]: c for c in screen["channels"]}
    assert report["id"] in contacts, screen["channels"]
    assert contacts[report["id"]]["channel"] == "email"
    assert "ulicy Polnej" in contacts[report["id"]]["snippet"]
    mailpbx.api("POST", f"/api/agents/{agent}/logout", {})
