"""The e-mail channel's adapter: reads the office's mailbox folders over IMAP and hands every
message to :func:`cic.channels.intake.receive`.

Exactly once across restarts: a message's raw bytes and attachments are written to the
private channel store first, then the message, its report and the folder's cursor (the last
UID done) are written in ONE transaction. A crash before the commit means the message is read
again after the restart; the Message-ID check in the intake catches a message seen before
under another UID (a new UIDVALIDITY, a copy in two folders). Nothing is ever marked, moved or
deleted in the mailbox: the office's other mail programs see it as before.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from cic.channels.files import ChannelFiles
from cic.channels.inbound import InboundAttachment, InboundMessage
from cic.channels.intake import IntakePolicy, IntakeResult, receive
from cic.channels.models import MailCursor
from cic.db import Store, is_transient, utcnow
from cic.mail.errors import MailAuthError, MailConnectionError, MailFolderError
from cic.mail.imap import FetchedMessage, ImapMailbox
from cic.mail.parse import AttachmentLimits, ParsedMail, parse_message

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ParseRules:
    """How messages are parsed: attachment limits, the servers whose checks are believed,
    and the office's own addresses (mail "from" them coming in is a loop or a forgery)."""

    limits: AttachmentLimits
    authserv_ids: tuple[str, ...] = ()
    own_addresses: tuple[str, ...] = ()


def inbound_from(parsed: ParsedMail, files: ChannelFiles, raw: bytes, received: datetime,
                 raw_sha256: str) -> InboundMessage:  # fmt: skip
    """The channel-neutral message for a parsed e-mail (attachment contents stored)."""
    attachments = tuple(
        InboundAttachment(
            filename=a.filename,
            content_type=a.content_type,
            size=a.size,
            sha256=files.put(a.data) if a.data is not None else a.sha256,
            detected_type=a.detected_type,
            rejected=a.rejected,
        )
        for a in parsed.attachments
    )
    return InboundMessage(
        channel="email", message_id=parsed.message_id, received_at=received,
        from_address=parsed.from_address, from_name=parsed.from_name,
        reply_to=parsed.reply_to, to=parsed.to + parsed.cc, subject=parsed.subject,
        text=parsed.text, html=parsed.html, in_reply_to=parsed.in_reply_to,
        references=parsed.references, attachments=attachments, auto=parsed.auto,
        sender_check=parsed.sender_check, defects=parsed.defects,
        unparseable=parsed.unparseable, raw_sha256=raw_sha256, size=len(raw),
    )  # fmt: skip


class MailIngest:
    """One mailbox's folders read in a loop: fetch what is new, take it in, wait for more.

    IMAP IDLE watches one folder at a time: the first of ``folders`` wakes the reader at once;
    the others are read each time it wakes, at the latest after ``wait_seconds``.
    """

    def __init__(
        self,
        store: Store,
        files: ChannelFiles,
        connect: Callable[[], ImapMailbox],
        folders: tuple[str, ...],
        account: str,
        rules: ParseRules,
        policy: IntakePolicy,
        *,
        on_report: Callable[[IntakeResult], Awaitable[None]] | None = None,
        wait_seconds: float = 300,
    ) -> None:
        """``connect`` makes a new (unconnected) mailbox client; ``account`` names the
        mailbox in the cursors (``user@host``); ``on_report`` hears of each message taken."""
        self.store, self.files, self.connect = store, files, connect
        self.folders, self.account, self.rules, self.policy = folders, account, rules, policy
        self.on_report, self.wait_seconds = on_report, wait_seconds
        self.taken = 0
        self.last_error = ""

    async def run(self, max_delay: float = 300) -> None:
        """Forever: read every folder, then wait for new mail; reconnect after a failure
        (1 s doubling to ``max_delay``; a refused login waits the longest)."""
        delay = 1.0
        while True:
            mailbox = self.connect()
            try:
                await mailbox.connect()
                self.last_error = ""
                delay = 1.0
                while True:
                    for folder in self.folders:
                        await self.read_folder(mailbox, folder)
                    await mailbox.wait_for_mail(self.folders[0], self.wait_seconds)
            except (MailAuthError, MailFolderError) as exc:
                # Wrong credentials or a folder that is not there: only the office can fix
                # it, so the reader waits the longest before trying again.
                self.last_error = str(exc)
                log.error("mailbox %s: %s", self.account, exc)
                delay = max_delay
            except (MailConnectionError, OSError) as exc:
                self.last_error = str(exc)
                log.warning("mailbox %s: %s; again in %.0f s", self.account, exc, delay)
            except Exception as exc:
                if not is_transient(exc):
                    raise
                self.last_error = "baza danych niedostępna"
                log.warning("mailbox %s: database unreachable; again in %.0f s", self.account,
                            delay)  # fmt: skip
            finally:
                await _quietly_close(mailbox)
            await asyncio.sleep(delay)
            delay = min(delay * 2, max_delay)

    async def read_folder(self, mailbox: ImapMailbox, folder: str) -> int:
        """Take in everything new in ``folder``; returns how many messages were read."""
        state = await mailbox.select(folder)
        key = f"{self.account}/{folder}"
        last_uid = await self.store.run(lambda s: _cursor(s, key, state.uidvalidity))
        count = 0
        while True:
            batch = await mailbox.fetch_new(folder, last_uid, limit=50)
            if not batch:
                return count
            for fetched in batch:
                await self.take(fetched, key, state.uidvalidity)
                last_uid = max(last_uid, fetched.uid)
                count += 1

    async def take(self, fetched: FetchedMessage, key: str, uidvalidity: int) -> IntakeResult:
        """Store one fetched message and advance the folder's cursor past it, atomically."""
        received = utcnow()
        rules = self.rules
        parsed = await asyncio.to_thread(
            parse_message, fetched.raw, limits=rules.limits,
            trusted_authserv_ids=rules.authserv_ids, own_addresses=rules.own_addresses,
        )  # fmt: skip
        raw_sha = await asyncio.to_thread(self.files.put, fetched.raw)
        message = await asyncio.to_thread(
            inbound_from, parsed, self.files, fetched.raw, received, raw_sha
        )

        def work(session: Session) -> IntakeResult:
            result = receive(session, message, self.policy)
            _advance(session, key, uidvalidity, fetched.uid)
            return result

        result = await self.store.run(work)
        self.taken += 1
        if self.on_report is not None and not result.duplicate:
            await self.on_report(result)
        return result


def _cursor(session: Session, key: str, uidvalidity: int) -> int:
    """The last UID done in this folder; 0 (read all again) for a new UIDVALIDITY."""
    row = session.get(MailCursor, key)
    if row is None:
        session.add(MailCursor(mailbox=key, uidvalidity=uidvalidity, last_uid=0))
        return 0
    if row.uidvalidity != uidvalidity:
        log.warning("mailbox folder %s has a new UIDVALIDITY: reading it again", key)
        row.uidvalidity, row.last_uid, row.updated_at = uidvalidity, 0, utcnow()
        return 0
    return row.last_uid


def _advance(session: Session, key: str, uidvalidity: int, uid: int) -> None:
    row = session.get(MailCursor, key)
    if row is None:
        row = MailCursor(mailbox=key, uidvalidity=uidvalidity, last_uid=0)
        session.add(row)
    if uid > row.last_uid:
        row.last_uid, row.updated_at = uid, utcnow()


async def _quietly_close(mailbox: ImapMailbox) -> None:
    try:
        await mailbox.close()
    except Exception:
        log.debug("closing the mailbox failed", exc_info=True)
