"""The mailbox reader against a real Dovecot (tests/mailserver.py) on SQLite: cursors per
folder, the same message in two folders taken once, a full disk loses nothing, a missing
folder is reported and waited on."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Callable
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import func, select

from cic.cases.models import ContactReport
from cic.channels.files import ChannelFiles
from cic.channels.intake import IntakePolicy
from cic.channels.mailbox import MailIngest, ParseRules
from cic.channels.models import ChannelMessage, MailCursor
from cic.db import Store, migrate
from cic.mail.imap import ImapMailbox
from cic.mail.parse import AttachmentLimits
from cic.mail.settings import ImapAccount
from tests.mailfixtures import MailUser, new_mail_user
from tests.mailserver import MailServer

POLICY = IntakePolicy({"email": 3}, "Europe/Warsaw", "gmina.test")


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    url = f"sqlite:///{tmp_path / 'cic.db'}"
    migrate(url)
    store = Store(url)
    yield store
    await store.close()


def reader(
    server: MailServer, office: MailUser, store: Store, files: ChannelFiles,
    folders: tuple[str, ...] = ("INBOX",),
) -> MailIngest:  # fmt: skip
    account = ImapAccount(
        host="127.0.0.1", port=server.imap_port, tls="starttls", username=office.address,
        password=office.password, folders=folders, ca_file=str(server.ca_file), poll_seconds=1,
    )  # fmt: skip
    return MailIngest(
        store, files, lambda: ImapMailbox(account), folders, office.address,
        ParseRules(AttachmentLimits()), POLICY, wait_seconds=1,
    )  # fmt: skip


def raw(subject: str, message_id: str = "") -> bytes:
    mail = EmailMessage()
    mail["From"] = "Jan Testowy <jan@mieszkaniec.test>"
    mail["To"] = "kontakt@gmina.test"
    mail["Subject"] = subject
    mail["Message-ID"] = message_id or f"<{secrets.token_hex(6)}@mieszkaniec.test>"
    mail.set_content("Treść wiadomości testowej.")
    return bytes(mail)


async def count(store: Store, model: type, *where: object) -> int:
    return int(await store.run(lambda s: s.scalar(select(func.count()).select_from(model)
                                                   .where(*where))))  # type: ignore[arg-type]  # fmt: skip


async def read_all(ingest: MailIngest, folders: tuple[str, ...]) -> int:
    mailbox = ingest.connect()
    await mailbox.connect()
    try:
        return sum([await ingest.read_folder(mailbox, f) for f in folders])
    finally:
        await mailbox.close()


async def test_cursors_per_folder_and_one_report_for_a_message_in_two_folders(
    mail_server: MailServer, store: Store, tmp_path: Path
) -> None:
    office = new_mail_user(mail_server, "gmina.test")
    mail_server.create_folder(office.address, "Urzad")
    shared = raw("W obu folderach", "<wspolna@mieszkaniec.test>")
    for message in (raw("Pierwsza"), shared):
        mail_server.append(office.address, message)
    mail_server.append(office.address, shared, folder="Urzad")
    ingest = reader(mail_server, office, store, ChannelFiles(tmp_path / "files"),
                    ("INBOX", "Urzad"))  # fmt: skip
    assert await read_all(ingest, ("INBOX", "Urzad")) == 3
    assert await count(store, ContactReport) == 2
    cursors = await store.run(lambda s: {c.mailbox.rsplit("/", 1)[1]: c.last_uid
                                         for c in s.scalars(select(MailCursor))})  # fmt: skip
    assert cursors == {"INBOX": 2, "Urzad": 1}
    assert await read_all(ingest, ("INBOX", "Urzad")) == 0  # nothing new: nothing read again
    mail_server.append(office.address, raw("Trzecia"))
    assert await read_all(ingest, ("INBOX", "Urzad")) == 1
    assert await count(store, ContactReport) == 3


async def test_a_full_disk_stops_the_reader_before_the_cursor_moves_and_nothing_is_lost(
    mail_server: MailServer, store: Store, tmp_path: Path
) -> None:
    office = new_mail_user(mail_server, "gmina.test")
    for n in range(3):
        mail_server.append(office.address, raw(f"Wiadomość {n}"))
    files = ChannelFiles(tmp_path / "files")
    real_put: Callable[[bytes], str] = files.put
    calls = {"n": 0}

    def full_after_one(data: bytes) -> str:
        calls["n"] += 1
        if calls["n"] > 1:
            raise OSError(28, "No space left on device")
        return real_put(data)

    files.put = full_after_one  # type: ignore[method-assign]
    ingest = reader(mail_server, office, store, files)
    with pytest.raises(OSError):
        await read_all(ingest, ("INBOX",))
    assert await count(store, ChannelMessage) == 1
    files.put = real_put  # type: ignore[method-assign]
    assert await read_all(ingest, ("INBOX",)) == 2
    subjects = await store.run(lambda s: sorted(s.scalars(select(ContactReport.topic))))
    assert subjects == ["Wiadomość 0", "Wiadomość 1", "Wiadomość 2"]


async def test_a_missing_folder_is_reported_and_the_reader_keeps_waiting(
    mail_server: MailServer, store: Store, tmp_path: Path
) -> None:
    office = new_mail_user(mail_server, "gmina.test")
    ingest = reader(mail_server, office, store, ChannelFiles(tmp_path / "files"),
                    ("INBOX", "Nie-ma-takiego"))  # fmt: skip
    task = asyncio.create_task(ingest.run(max_delay=60))
    try:
        for _ in range(100):
            if ingest.last_error:
                break
            await asyncio.sleep(0.1)
        assert "Folder „Nie-ma-takiego” w skrzynce" in ingest.last_error, ingest.last_error
        assert not task.done()
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
