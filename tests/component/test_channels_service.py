"""The message queue's rules on SQLite and PostgreSQL: who may take, answer, hand over and
open what; and the outbox's retries (its transport is a fake: the real SMTP server is in
tests/component/test_mail_smtp.py and tests/integration/test_mail_channel.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cic.auth.actor import Actor
from cic.auth.models import AuditEntry
from cic.bus import InProcessBus
from cic.cases.errors import ReportHidden
from cic.cases.models import ContactReport
from cic.channels.errors import AttachmentMissing, AttachmentNotFound, NoReplyAddress, TakenByOther
from cic.channels.files import ChannelFiles
from cic.channels.inbound import InboundAttachment, InboundMessage
from cic.channels.intake import IntakePolicy, receive
from cic.channels.models import ChannelMessage
from cic.channels.outbox import OutboxSender, SenderIdentity
from cic.channels.service import ChannelService
from cic.db import Store, migrate
from cic.mail.errors import MailSendError

ANNA = Actor("anna", "agent", "PJSIP/agent-anna")
PIOTR = Actor("piotr", "agent", "PJSIP/agent-piotr")
BOSS = Actor("kierownik", "supervisor")
TODAY = date(2026, 12, 10)
AT = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
POLICY = IntakePolicy(
    {"email": 3}, "Europe/Warsaw", "gmina.test", ("kontakt@gmina.test",),
    lambda number, _received, _due: (f"Potwierdzenie {number}", "Przyjęliśmy wiadomość."),
)  # fmt: skip


class Recorder:
    """A transport that records what it sends, failing as told first."""

    def __init__(self, failures: list[MailSendError] | None = None) -> None:
        self.failures = list(failures or [])
        self.sent: list[EmailMessage] = []

    async def send(self, message: EmailMessage, *, sender: str, recipients: list[str]) -> None:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(message)


@pytest.fixture
async def world(db_url: str, tmp_path: Path) -> AsyncIterator[tuple[Store, ChannelService]]:
    migrate(db_url)
    store = Store(db_url)
    files = ChannelFiles(tmp_path / "channels")
    service = ChannelService(store, InProcessBus(), files, lambda: TODAY, domain="gmina.test",
                             can_send=True)  # fmt: skip
    yield store, service
    await store.close()


async def arrive(store: Store, n: int, files: ChannelFiles | None = None) -> int:
    attachments: tuple[InboundAttachment, ...] = ()
    if files is not None:
        digest = files.put(b"%PDF-1.4 wniosek")
        attachments = (
            InboundAttachment("wniosek.pdf", "application/pdf", 16, digest),
            InboundAttachment("program.exe", "application/octet-stream", 10, "c" * 64,
                              rejected="plik wykonywalny"),
        )  # fmt: skip
    message = InboundMessage(
        channel="email", message_id=f"<s{n}@mieszkaniec.test>", received_at=AT,
        from_address=f"osoba{n}@mieszkaniec.test", subject=f"Sprawa {n}", text="Proszę o pomoc.",
        attachments=attachments,
    )  # fmt: skip
    result = await store.run(lambda s: receive(s, message, POLICY))
    assert result.report_id is not None
    return result.report_id


async def test_the_queue_is_shared_until_someone_takes_a_message(
    world: tuple[Store, ChannelService],
) -> None:
    store, service = world
    first, second = await arrive(store, 1), await arrive(store, 2)
    queue = await service.queue(ANNA)
    assert [i["id"] for i in queue["waiting"]] == [first, second]
    assert queue["waiting"][0]["overdue"] and queue["waiting"][0]["days_late"] == 2
    await service.take(first, ANNA)
    with pytest.raises(TakenByOther):
        await service.take(first, PIOTR)
    assert [i["id"] for i in (await service.queue(PIOTR))["waiting"]] == [second]
    with pytest.raises(ReportHidden):
        await service.messages(first, PIOTR)  # no longer the shared queue's, not Piotr's
    assert [i["id"] for i in (await service.queue(ANNA))["mine"]] == [first]
    taken = await service.take(first, BOSS)  # a supervisor may take it over
    assert taken["owner"] == "kierownik"
    board = await service.board()
    assert (board["waiting"], board["in_progress"], board["overdue"]) == (1, 1, 2)


async def test_a_reply_is_queued_threaded_and_the_report_stops_waiting(
    world: tuple[Store, ChannelService],
) -> None:
    store, service = world
    report_id = await arrive(store, 3)
    await service.take(report_id, ANNA)
    out = await service.reply(report_id, {"text": "Dzień dobry, odpowiadamy.", "close": True}, ANNA)
    assert out["direction"] == "out" and out["send_state"] == "oczekuje"
    assert out["subject"] == f"Re: [ZGL-{report_id}] Sprawa 3"
    row = await store.run(lambda s: s.get(ChannelMessage, out["id"]))
    assert row is not None and row.in_reply_to == "<s3@mieszkaniec.test>"
    assert row.references.split() == ["<s3@mieszkaniec.test>"] and row.author == "anna"
    report = await store.run(lambda s: s.get(ContactReport, report_id))
    assert report is not None and report.status == "zamkniete"
    assert report.waiting_since is None and report.answered_at is not None
    with pytest.raises(ReportHidden):  # Anna's, not the shared queue's: Piotr can't see it
        await service.reply(report_id, {"text": "Ja też"}, PIOTR)


async def test_no_reply_without_an_address_or_a_mailbox(
    world: tuple[Store, ChannelService], tmp_path: Path
) -> None:
    store, service = world

    def phone_report(session: Session) -> int:
        report = ContactReport(topic="Telefon", created_by="anna", owner="anna", channel="www",
                               contact="+48500100200", waiting_since=AT)  # fmt: skip
        session.add(report)
        session.flush()
        return report.id

    report_id = await store.run(phone_report)
    with pytest.raises(NoReplyAddress):
        await service.reply(report_id, {"text": "Odpowiedź"}, ANNA)
    silent = ChannelService(store, InProcessBus(), ChannelFiles(tmp_path), lambda: TODAY,
                            domain="gmina.test", can_send=False)  # fmt: skip
    with pytest.raises(NoReplyAddress):
        await silent.reply(await arrive(store, 4), {"text": "Odpowiedź"}, ANNA)


async def test_handing_over_moves_the_message_to_the_department(
    world: tuple[Store, ChannelService],
) -> None:
    store, service = world
    report_id = await arrive(store, 5)
    handed = await service.hand_over(report_id, {"department": "FN", "note": "podatki"}, ANNA)
    assert (handed["department"], handed["status"], handed["owner"]) == ("FN", "przekazane", "")
    assert (await service.queue(ANNA))["waiting"] == []
    assert [i["id"] for i in (await service.queue(BOSS))["departments"]] == [report_id]
    with pytest.raises(ReportHidden):
        await service.take(report_id, PIOTR)


async def test_attachments_are_opened_by_those_who_may_read_and_each_read_is_audited(
    world: tuple[Store, ChannelService],
) -> None:
    store, service = world
    report_id = await arrive(store, 6, service.files)
    messages = (await service.messages(report_id, ANNA))["messages"]
    pdf, exe = messages[0]["attachments"]
    await service.take(report_id, ANNA)
    name, _kind, data = await service.attachment(pdf["id"], ANNA)
    assert (name, data) == ("wniosek.pdf", b"%PDF-1.4 wniosek")
    with pytest.raises(AttachmentMissing):
        await service.attachment(exe["id"], ANNA)
    with pytest.raises(AttachmentNotFound):
        await service.attachment(pdf["id"], PIOTR)
    with pytest.raises(AttachmentNotFound):
        await service.attachment(999_999, BOSS)
    actions = await store.run(lambda s: [
        (e.action, e.actor) for e in s.scalars(select(AuditEntry).order_by(AuditEntry.id))
    ])  # fmt: skip
    assert ("attachment_read", "anna") in actions
    assert any(a[0] != "attachment_read" and a[1] == "piotr" for a in actions)  # the refusal


async def test_the_outbox_retries_temporary_failures_and_gives_up_on_permanent_ones(
    world: tuple[Store, ChannelService],
) -> None:
    store, service = world
    first, second = await arrive(store, 7), await arrive(store, 8)
    clock = [datetime(2026, 12, 10, 8, 0, tzinfo=UTC)]
    transport = Recorder([MailSendError("Serwer chwilowo niedostępny", temporary=True),
                          MailSendError("Adres nie istnieje", temporary=False)])  # fmt: skip
    sender = OutboxSender(store, transport, SenderIdentity("kontakt@gmina.test", "Urząd"),
                          attempts=3, retry_seconds=60, now=lambda: clock[0])  # fmt: skip
    assert await sender.send_due() == 0  # both acknowledgements failed once
    states = await store.run(lambda s: [
        (r.report_id, r.send_state, r.attempts, r.next_attempt_at)
        for r in s.scalars(select(ChannelMessage).where(ChannelMessage.direction == "out")
                           .order_by(ChannelMessage.id))
    ])  # fmt: skip
    assert states[0][:3] == (first, "oczekuje", 1)
    assert states[0][3] is not None and states[0][3] - clock[0] == timedelta(seconds=60)
    assert states[1][:3] == (second, "blad", 1)
    assert await sender.send_due() == 0  # not due yet
    clock[0] += timedelta(seconds=61)
    assert await sender.send_due() == 1
    [sent] = transport.sent
    assert sent["Auto-Submitted"] == "auto-replied" and sent["To"] == "osoba7@mieszkaniec.test"
    failed = await service.failed_sends()
    assert [f["report"] for f in failed] == [second] and "nie istnieje" in failed[0]["last_error"]
    await sender.retry(failed[0]["id"])
    assert await sender.send_due() == 1
    assert await service.failed_sends() == []
