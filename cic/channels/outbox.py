"""Outgoing messages: queued in the same transaction as what caused them, sent by
:class:`OutboxSender` with retries; every attempt's result is on the message row.

A message keeps its Message-ID from the moment it is queued, so a retry after a failure the
server did not report (a timeout after DATA) is the same message to the resident's mail
program, and replies to it thread onto the report.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Protocol

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from cic.channels.models import ChannelMessage
from cic.db import Store, utcnow
from cic.mail.compose import build_message, make_message_id
from cic.mail.errors import MailSendError
from cic.supervisor import rounds

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Letter:
    """What to send: to whom, subject and text, and the message it answers."""

    to: str
    subject: str
    text: str
    purpose: str
    in_reply_to: str = ""
    references: tuple[str, ...] = ()


def queue(
    session: Session, report_id: int | None, letter: Letter, *, author: str, domain: str,
    channel: str = "email",
) -> ChannelMessage:  # fmt: skip
    """Add ``letter`` to the outbox (sent after this transaction commits)."""
    now = utcnow()
    row = ChannelMessage(
        report_id=report_id, channel=channel, direction="out", purpose=letter.purpose,
        message_id=make_message_id(domain), in_reply_to=letter.in_reply_to,
        references=" ".join(letter.references), to_addresses=letter.to,
        subject=letter.subject, body_text=letter.text, author=author, received_at=now,
        send_state="oczekuje", attempts=0, next_attempt_at=now,
    )  # fmt: skip
    session.add(row)
    session.flush()
    return row


class Transport(Protocol):
    """What sends a built message (``cic.mail.smtp.SmtpSender`` has this shape)."""

    async def send(self, message: EmailMessage, *, sender: str, recipients: list[str]) -> None:
        """Send or raise ``MailSendError``."""


@dataclass(frozen=True)
class SenderIdentity:
    """Who the office's messages are from, its signature and the loop marker's value."""

    address: str
    name: str
    signature: str = ""


class OutboxSender:
    """Sends due messages, retrying temporary failures with doubling delays."""

    def __init__(
        self,
        store: Store,
        transport: Transport,
        identity: SenderIdentity,
        *,
        attempts: int = 8,
        retry_seconds: float = 60,
        retry_max_seconds: float = 3600,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        """``attempts`` in all before a message is marked as not sent."""
        self.store, self.transport, self.identity = store, transport, identity
        self.attempts, self.retry_seconds = attempts, retry_seconds
        self.retry_max_seconds, self.now = retry_max_seconds, now
        self.wake = asyncio.Event()

    def poke(self) -> None:
        """Something was queued: look now rather than at the next poll."""
        self.wake.set()

    async def run(self, poll_seconds: float = 30) -> None:
        """Forever: send what is due, then wait for a poke or the poll interval."""
        await rounds(self.send_due, self.wake, poll_seconds, "outbox")

    async def send_due(self, limit: int = 50) -> int:
        """Send the messages due now; returns how many went out."""
        due = await self.store.run(lambda s: _due(s, self.now(), limit))
        sent = 0
        for row_id in due:
            sent += await self._send_one(row_id)
        return sent

    async def retry(self, message_pk: int) -> None:
        """Send a message that was given up on again (from now, attempts counted anew)."""

        def work(session: Session) -> None:
            row = session.get(ChannelMessage, message_pk)
            if row is not None and row.direction == "out" and row.send_state != "wyslana":
                row.send_state, row.attempts, row.next_attempt_at = "oczekuje", 0, self.now()

        await self.store.run(work)
        self.poke()

    async def _send_one(self, row_id: int) -> int:
        row = await self.store.run(lambda s: s.get(ChannelMessage, row_id))
        if row is None or row.send_state != "oczekuje":
            return 0
        try:
            message = build_message(
                sender=self.identity.address, sender_name=self.identity.name,
                to=[row.to_addresses], subject=row.subject, text=row.body_text,
                in_reply_to=row.in_reply_to, references=tuple(row.references.split()),
                message_id=row.message_id, auto_submitted=row.purpose in AUTOMATIC,
                loop_marker=("X-CIC-Loop", self.identity.address),
                signature="" if row.purpose in AUTOMATIC else self.identity.signature,
            )  # fmt: skip
        except ValueError as exc:
            # A row that cannot become a message (an address with a line break): never
            # sendable, so given up at once rather than retried.
            error = MailSendError(f"Nie można zbudować wiadomości: {exc}", temporary=False)
            await self.store.run(lambda s: self._failed(s, row_id, error))
            return 0
        try:
            await self.transport.send(
                message, sender=self.identity.address, recipients=[row.to_addresses]
            )
        except MailSendError as exc:
            error = exc
        else:
            await self.store.run(lambda s: _sent(s, row_id, self.now()))
            return 1
        await self.store.run(lambda s: self._failed(s, row_id, error))
        return 0

    def _failed(self, session: Session, row_id: int, exc: MailSendError) -> None:
        row = session.get(ChannelMessage, row_id)
        if row is None:
            return
        row.attempts += 1
        row.last_error = str(exc)[:2000]
        if not exc.temporary or row.attempts >= self.attempts:
            row.send_state, row.next_attempt_at = "blad", None
            log.warning("outbox: message %s not sent (%s attempts)", row.id, row.attempts)
            return
        delay = min(self.retry_seconds * 2 ** (row.attempts - 1), self.retry_max_seconds)
        row.next_attempt_at = self.now() + timedelta(seconds=delay)


#: Purposes of messages the office sends without a person writing them (RFC 3834).
AUTOMATIC = frozenset({"potwierdzenie"})


def _due(session: Session, now: datetime, limit: int) -> list[int]:
    return list(
        session.scalars(
            select(ChannelMessage.id)
            .where(
                ChannelMessage.direction == "out",
                ChannelMessage.send_state == "oczekuje",
                or_(
                    ChannelMessage.next_attempt_at.is_(None), ChannelMessage.next_attempt_at <= now
                ),
            )
            .order_by(ChannelMessage.id)
            .limit(limit)
        )
    )


def _sent(session: Session, row_id: int, now: datetime) -> None:
    row = session.get(ChannelMessage, row_id)
    if row is not None:
        row.send_state, row.sent_at, row.next_attempt_at, row.last_error = (
            "wyslana", now, None, "",
        )  # fmt: skip
