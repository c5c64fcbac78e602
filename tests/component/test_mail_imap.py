"""cic.mail.imap against the real Dovecot of tests.mailserver: TLS both ways, credentials,
exact raw messages by UID, IDLE and polling, and a Dovecot restart in the middle of reading."""

from __future__ import annotations

import asyncio
import secrets
from pathlib import Path

import pytest

from cic.mail.errors import MailAuthError, MailConnectionError, MailFolderError
from cic.mail.imap import ImapMailbox
from cic.mail.settings import ImapAccount, TlsMode
from tests import mailtls
from tests.mailfixtures import MailUser
from tests.mailserver import MailServer


def account(server: MailServer, user: MailUser, tls: TlsMode = "starttls", **extra) -> ImapAccount:
    port = server.imaps_port if tls == "ssl" else server.imap_port
    settings = {"ca_file": str(server.ca_file), "timeout": 10, **extra}
    return ImapAccount("127.0.0.1", port, tls, user.address, user.password, **settings)


def message(number: int) -> bytes:
    """A message with what must survive byte for byte: folded headers, 8-bit UTF-8,
    trailing spaces, a line of dots."""
    return (
        f"From: Jan Testowy <jan.testowy@mieszkaniec.test>\r\n"
        f"To: kontakt@gmina.test\r\n"
        f"Subject: =?utf-8?q?Wniosek_nr_{number}_=E2=80=93_za=C5=9Bwiadczenie?=\r\n"
        f"X-Folded: first part\r\n\tsecond part\r\n"
        f"Message-ID: <{secrets.token_hex(8)}@mieszkaniec.test>\r\n"
        f"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        f"Dzień dobry, proszę o zaświadczenie nr {number}.  \r\n..\r\nŻółć\r\n"
    ).encode()


def seen_flags(server: MailServer, user: MailUser) -> list[bytes]:
    with server.imap(user.address) as imap:
        imap.select("INBOX", readonly=True)
        _, data = imap.uid("FETCH", "1:*", "(FLAGS)")
    return [item for item in data if isinstance(item, bytes) and b"\\Seen" in item]


@pytest.mark.parametrize("tls", ["starttls", "ssl", "none"])
async def test_connects_in_each_tls_mode_verifying_the_test_ca(
    mail_server: MailServer, mail_user: MailUser, tls: TlsMode
) -> None:
    async with ImapMailbox(account(mail_server, mail_user, tls)) as box:
        state = await box.select("INBOX")

        assert state.uidvalidity > 0
        assert "IDLE" in box.capabilities
        assert (box.tls_version is None) == (tls == "none")


@pytest.mark.parametrize("tls", ["starttls", "ssl"])
async def test_a_certificate_from_another_ca_is_refused(
    mail_server: MailServer, mail_user: MailUser, tls: TlsMode, tmp_path: Path
) -> None:
    other_ca = mailtls.make_ca(tmp_path, "another CA")
    box = ImapMailbox(account(mail_server, mail_user, tls, ca_file=str(other_ca.cert_file)))

    with pytest.raises(MailConnectionError, match="certificate verify failed"):
        await box.connect()
    assert not box.connected


async def test_a_wrong_password_is_an_auth_error(
    mail_server: MailServer, mail_user: MailUser
) -> None:
    wrong = MailUser(mail_user.address, "nie-to-haslo")

    with pytest.raises(MailAuthError, match="odrzucił logowanie"):
        await ImapMailbox(account(mail_server, wrong)).connect()


async def test_fetch_new_returns_exact_bytes_in_uid_order_after_a_uid(
    mail_server: MailServer, mail_user: MailUser
) -> None:
    raws = [message(n) for n in (1, 2, 3)]
    for raw in raws:
        mail_server.append(mail_user.address, raw)

    async with ImapMailbox(account(mail_server, mail_user)) as box:
        state = await box.select("INBOX")
        everything = await box.fetch_new("INBOX", after_uid=0)
        after_first = await box.fetch_new("INBOX", after_uid=everything[0].uid)
        first_only = await box.fetch_new("INBOX", after_uid=0, limit=1)
        after_last = await box.fetch_new("INBOX", after_uid=everything[-1].uid)

    assert [m.raw for m in everything] == raws
    assert [m.size for m in everything] == [len(raw) for raw in raws]
    uids = [m.uid for m in everything]
    assert uids == sorted(uids) and state.uidnext == uids[-1] + 1
    assert [m.raw for m in after_first] == raws[1:]
    assert [m.uid for m in first_only] == uids[:1]
    assert after_last == []
    assert seen_flags(mail_server, mail_user) == []  # BODY.PEEK left \Seen alone


async def test_other_folders_by_their_polish_names(
    mail_server: MailServer, mail_user: MailUser
) -> None:
    raw = message(7)
    mail_server.create_folder(mail_user.address, "Zg&AUI-oszenia")  # "Zgłoszenia", UTF-7
    mail_server.append(mail_user.address, raw, folder="Zg&AUI-oszenia")

    async with ImapMailbox(account(mail_server, mail_user)) as box:
        fetched = await box.fetch_new("Zgłoszenia", after_uid=0)
        with pytest.raises(MailFolderError, match="Nie ma"):
            await box.select("Nie ma takiego")

    assert [m.raw for m in fetched] == [raw]


@pytest.mark.parametrize("idle", [True, False], ids=["idle", "polling"])
async def test_waiting_wakes_up_for_a_new_message(
    mail_server: MailServer, mail_user: MailUser, idle: bool
) -> None:
    async with ImapMailbox(account(mail_server, mail_user, idle=idle, poll_seconds=0.2)) as box:
        assert await box.fetch_new("INBOX", after_uid=0) == []
        assert await box.wait_for_mail("INBOX", timeout=0.3) is False

        waiting = asyncio.create_task(box.wait_for_mail("INBOX", timeout=60))
        if idle:
            while not box.idling:
                await asyncio.sleep(0.01)
        raw = message(4)
        await asyncio.to_thread(
            mail_server.send, raw, "jan.testowy@mieszkaniec.test", [mail_user.address]
        )

        assert await waiting is True
        [arrived] = await box.fetch_new("INBOX", after_uid=0)
    assert arrived.raw.endswith(raw.split(b"\r\n\r\n", 1)[1])


async def test_ingestion_survives_a_dovecot_restart_without_losing_or_repeating(
    mail_server: MailServer, mail_user: MailUser
) -> None:
    before, after = [message(n) for n in (1, 2, 3)], [message(n) for n in (4, 5, 6)]
    for raw in before:
        mail_server.append(mail_user.address, raw)
    box = ImapMailbox(account(mail_server, mail_user))
    ingested: list[bytes] = []
    uids: list[int] = []
    validities: set[int] = set()
    connection_errors = 0
    restarted = False

    async def process(raw: bytes) -> None:
        nonlocal restarted
        ingested.append(raw)
        if len(ingested) == len(before) and not restarted:
            restarted = True
            await asyncio.to_thread(mail_server.restart_dovecot)
            for later in after:
                await asyncio.to_thread(mail_server.append, mail_user.address, later)

    # The loop the channel's ingestion runs: connect, select, fetch after the last UID,
    # wait for mail; on a connection error reconnect and carry on from the last UID.
    while len(ingested) < len(before) + len(after):
        try:
            await box.connect()
            validities.add((await box.select("INBOX")).uidvalidity)
            while len(ingested) < len(before) + len(after):
                batch = await box.fetch_new("INBOX", after_uid=max(uids, default=0), limit=2)
                for fetched in batch:
                    uids.append(fetched.uid)
                    await process(fetched.raw)
                if not batch:
                    await box.wait_for_mail("INBOX", timeout=30)
        except MailConnectionError:
            connection_errors += 1
            await box.close()
            await asyncio.sleep(0.05)
    await box.close()

    assert ingested == before + after
    assert len(set(uids)) == len(uids)
    assert connection_errors >= 1
    assert len(validities) == 1


async def test_cancelling_a_wait_in_idle_closes_the_connection(
    mail_server: MailServer, mail_user: MailUser
) -> None:
    box = ImapMailbox(account(mail_server, mail_user))
    await box.connect()
    waiting = asyncio.create_task(box.wait_for_mail("INBOX", timeout=60))
    while not box.idling:
        await asyncio.sleep(0.01)

    waiting.cancel()

    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert not box.connected
    await box.connect()  # and the mailbox can be used again
    assert await box.fetch_new("INBOX", after_uid=0) == []
    await box.close()
