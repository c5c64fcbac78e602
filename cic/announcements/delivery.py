"""The newsletter's background loop: scheduled announcements become published at their time,
each newly public announcement is queued once for every confirmed subscriber it concerns, and
the queue is sent through the office's SMTP server with retries and doubling delays.

Exactly once per subscriber and announcement: a delivery row per pair (unique), queued in the
same transaction that marks the announcement mailed (a conditional update, so two loops never
both queue it). A send is claimed first (its attempt counted, ``next_attempt_at`` moved on by
a lease), so a send cut short by a restart is tried again after the lease and never twice at
once. A message accepted by the server and then lost by a crash before the row is marked
would be sent again: it keeps its Message-ID, so mail programs show it once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from cic.announcements import letters
from cic.announcements.letters import Letter, Links
from cic.announcements.models import Announcement, NewsCategory, NewsDelivery, NewsSubscriber
from cic.announcements.newsletter import Newsletter
from cic.announcements.rules import is_public, load_list, matches
from cic.announcements.service import PublicAnnouncement, public_now, public_view
from cic.channels.outbox import SenderIdentity, Transport
from cic.db import Store, utcnow
from cic.mail.compose import build_message, make_message_id
from cic.mail.errors import MailSendError
from cic.supervisor import rounds

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outgoing:
    """One claimed delivery: the announcement, its Markdown, to whom and with which link."""

    delivery_id: int
    attempt: int
    message_id: str
    item: PublicAnnouncement
    markdown: str
    email: str
    unsubscribe: str


class Mailer:
    """Builds and sends the newsletter's letters through ``transport`` as ``identity``."""

    def __init__(self, transport: Transport, identity: SenderIdentity, domain: str) -> None:
        """``domain`` is the domain of the Message-IDs."""
        self.transport, self.identity, self.domain = transport, identity, domain

    async def send(self, letter: Letter, message_id: str = "") -> None:
        """Send ``letter`` or raise ``MailSendError`` (``ValueError`` for a letter that can
        never be a message)."""
        message = build_message(
            sender=self.identity.address, sender_name=self.identity.name, to=[letter.to],
            subject=letter.subject, text=letter.text,
            message_id=message_id or make_message_id(self.domain),
            loop_marker=("X-CIC-Loop", self.identity.address),
        )  # fmt: skip
        for name, value in letter.headers:
            if any(ch in value for ch in "\r\n\0"):
                raise ValueError(f"{name}: niedozwolony znak końca wiersza")
            message[name] = value
        await self.transport.send(message, sender=self.identity.address, recipients=[letter.to])


class NewsletterLoop:
    """Publishes scheduled announcements, queues and sends the newsletter."""

    def __init__(
        self,
        store: Store,
        newsletter: Newsletter,
        mailer: Mailer | None,
        *,
        zone: str,
        list_id: str,
        attempts: int = 8,
        retry_seconds: float = 60,
        retry_max_seconds: float = 3600,
        lease_seconds: float = 600,
        max_age: timedelta = timedelta(days=2),
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        """``mailer`` None: announcements are published on time, nothing is mailed.
        Announcements public for longer than ``max_age`` when first seen are not mailed."""
        self.store, self.newsletter, self.mailer = store, newsletter, mailer
        self.zone, self.list_id = zone, list_id
        self.attempts, self.retry_seconds = attempts, retry_seconds
        self.retry_max_seconds, self.lease_seconds = retry_max_seconds, lease_seconds
        self.max_age, self.now = max_age, now
        self.wake = asyncio.Event()

    @property
    def links(self) -> Links:
        """The links in the letters."""
        return self.newsletter.links

    def poke(self) -> None:
        """Something was published: look now rather than at the next poll."""
        self.wake.set()

    async def run(self, poll_seconds: float = 15) -> None:
        """Forever: a round, then wait for a poke or the poll interval."""
        await rounds(self.round, self.wake, poll_seconds, "newsletter")

    async def round(self) -> int:
        """Publish what is due, queue and send what is due, forget stale requests; returns
        how many e-mails went out."""
        await self.store.run(self._promote)
        if self.mailer is None:
            return 0
        await self.store.run(self._queue)
        sent = await self.send_due()
        await self.newsletter.purge()
        return sent

    async def send_due(self, limit: int = 100) -> int:
        """Send the deliveries due now; returns how many went out."""
        now = self.now()
        due = await self.store.run(lambda s: list(s.scalars(
            select(NewsDelivery.id)
            .where(NewsDelivery.state == "oczekuje", NewsDelivery.next_attempt_at <= now)
            .order_by(NewsDelivery.id).limit(limit)
        )))  # fmt: skip
        sent = 0
        for delivery_id in due:
            sent += await self._send_one(delivery_id)
        return sent

    def _promote(self, session: Session) -> None:
        session.execute(
            update(Announcement)
            .where(Announcement.state == "scheduled", Announcement.publish_at <= self.now())
            .values(state="published")
        )

    def _queue(self, session: Session) -> int:
        now = self.now()
        fresh = session.execute(
            select(Announcement.id, NewsCategory.slug, Announcement.solectwa,
                   Announcement.publish_at)
            .join(NewsCategory, NewsCategory.id == Announcement.category_id)
            .where(*public_now(now), Announcement.mailed_at.is_(None))
            .order_by(Announcement.publish_at).limit(20)
        ).all()  # fmt: skip
        if not fresh:
            return 0
        subscribers = session.execute(
            select(NewsSubscriber.id, NewsSubscriber.categories, NewsSubscriber.solectwa)
            .where(NewsSubscriber.state == "confirmed")
        ).all()  # fmt: skip
        queued = 0
        for announcement_id, category, solectwa, published in fresh:
            claimed = session.execute(
                update(Announcement)
                .where(Announcement.id == announcement_id, Announcement.mailed_at.is_(None))
                .values(mailed_at=now)
            )  # fmt: skip
            if getattr(claimed, "rowcount", 0) != 1 or (published or now) < now - self.max_age:
                continue  # queued by another loop, or public long before it was first seen
            for sub_id, categories, sub_solectwa in subscribers:
                if not matches(category, load_list(solectwa), load_list(categories),
                               load_list(sub_solectwa)):  # fmt: skip
                    continue
                session.add(NewsDelivery(
                    announcement_id=announcement_id, subscriber_id=sub_id, state="oczekuje",
                    attempts=0, next_attempt_at=now, message_id=make_message_id(self._domain),
                ))  # fmt: skip
                queued += 1
        return queued

    @property
    def _domain(self) -> str:
        return self.mailer.domain if self.mailer else "cic.invalid"

    def _claim(self, session: Session, delivery_id: int) -> Outgoing | None:
        now = self.now()
        row = session.get(NewsDelivery, delivery_id)
        if row is None or row.state != "oczekuje":
            return None
        if row.next_attempt_at is not None and row.next_attempt_at > now:
            return None
        announcement = session.get(Announcement, row.announcement_id)
        subscriber = session.get(NewsSubscriber, row.subscriber_id)
        if (
            announcement is None or subscriber is None or subscriber.state != "confirmed"
            or not is_public(announcement.state, announcement.publish_at,
                             announcement.expires_at, now)
        ):  # fmt: skip
            row.state, row.next_attempt_at = "pominieta", None
            row.last_error = "wycofane, wygasłe albo adres wypisany przed wysłaniem"
            return None
        attempt = row.attempts + 1  # read before the update (which refreshes ``row``)
        taken = session.execute(
            update(NewsDelivery)
            .where(NewsDelivery.id == delivery_id, NewsDelivery.state == "oczekuje",
                   NewsDelivery.attempts == attempt - 1)
            .values(attempts=attempt,
                    next_attempt_at=now + timedelta(seconds=self.lease_seconds))
        )  # fmt: skip
        if getattr(taken, "rowcount", 0) != 1:
            return None
        category = session.get(NewsCategory, announcement.category_id)
        assert category is not None  # a category with announcements cannot be deleted
        token = self.newsletter.unsubscribe_token(
            subscriber.id, subscriber.generation, subscriber.email
        )
        return Outgoing(
            delivery_id, attempt, row.message_id, public_view(announcement, category),
            announcement.body, subscriber.email, self.links.unsubscribe(token),
        )  # fmt: skip

    async def _send_one(self, delivery_id: int) -> int:
        claimed = await self.store.run(lambda s: self._claim(s, delivery_id))
        if claimed is None or self.mailer is None:
            return 0
        letter = letters.announcement(
            claimed.email, self.newsletter.office, claimed.item, claimed.markdown,
            claimed.unsubscribe, self.links, self.zone, self.list_id,
        )  # fmt: skip
        try:
            await self.mailer.send(letter, claimed.message_id)
        except ValueError as exc:
            error = MailSendError(f"Nie można zbudować wiadomości: {exc}", temporary=False)
        except MailSendError as exc:
            error = exc
        else:
            await self.store.run(lambda s: self._sent(s, delivery_id))
            return 1
        await self.store.run(lambda s: self._failed(s, claimed, error))
        return 0

    def _sent(self, session: Session, delivery_id: int) -> None:
        session.execute(
            update(NewsDelivery).where(NewsDelivery.id == delivery_id)
            .values(state="wyslana", sent_at=self.now(), next_attempt_at=None, last_error="")
        )  # fmt: skip

    def _failed(self, session: Session, claimed: Outgoing, exc: MailSendError) -> None:
        row = session.get(NewsDelivery, claimed.delivery_id)
        if row is None:
            return
        row.last_error = str(exc)[:2000]
        if not exc.temporary or claimed.attempt >= self.attempts:
            row.state, row.next_attempt_at = "blad", None
            log.warning("newsletter: delivery %s not sent (%s attempts)", row.id, claimed.attempt)
            return
        delay = min(self.retry_seconds * 2 ** (claimed.attempt - 1), self.retry_max_seconds)
        row.next_attempt_at = self.now() + timedelta(seconds=delay)
