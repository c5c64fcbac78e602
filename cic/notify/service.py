"""The notification store's rules: queue a batch, hand due deliveries to the senders, record
each outcome (trying busy and unanswered numbers again), and report the results.

The domains that notify (warnings, responders) call :meth:`NotifyService.send` and read the
results back by batch; the senders (voice calls through Asterisk, the SMS gateway, SMTP) loop
on :meth:`NotifyService.claim` and :meth:`NotifyService.finish`. Every change of a delivery is
published on the bus under ``TOPIC`` as ``{"type": "notify.delivery", "batch", "id",
"channel", "recipient", "status"}``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from cic.bus import Bus
from cic.callbacks.numbers import national_number
from cic.db import Store, utcnow
from cic.notify import statuses
from cic.notify.errors import NotifyError, UnknownDelivery
from cic.notify.models import BATCH_LENGTH, Delivery, NotifyMessage
from cic.residents.emails import canonical_address

TOPIC = "notify"
#: The most recipients one batch may have (a gmina's whole subscriber list fits many times).
MAX_RECIPIENTS = 50_000
MAX_TEXT = 2_000


@dataclass(frozen=True)
class Recipient:
    """Who gets it and how: ``address`` a phone number (voice, SMS) or an e-mail address;
    ``ref`` the sending domain's own reference (``subscriber:5``)."""

    channel: str
    address: str
    ref: str = ""


@dataclass(frozen=True)
class Outgoing:
    """What is said: ``text`` (sent or spoken), ``subject`` (e-mail), ``audio`` (a recorded
    file's name for calls, else speech is generated), ``confirm`` (ask for a confirmation)."""

    text: str
    subject: str = ""
    audio: str = ""
    confirm: bool = False


@dataclass(frozen=True)
class Claimed:
    """A delivery handed to a sender: where to, which attempt, and the message."""

    id: int
    batch: str
    channel: str
    address: str
    recipient: str
    attempt: int
    max_attempts: int
    message: Outgoing


def delivery_view(row: Delivery) -> dict[str, Any]:
    """A delivery as JSON for the pages and the API."""
    return {
        "id": row.id,
        "batch": row.batch,
        "channel": row.channel,
        "channel_label": statuses.CHANNEL_LABELS.get(row.channel, row.channel),
        "address": row.address,
        "recipient": row.recipient,
        "status": row.status,
        "status_label": statuses.LABELS.get(row.status, row.status),
        "attempts": row.attempts,
        "max_attempts": row.max_attempts,
        "updated_at": row.updated_at.isoformat(),
        "confirmed_at": row.confirmed_at.isoformat() if row.confirmed_at else None,
        "detail": row.detail,
    }


def canonical(channel: str, address: str) -> str | None:
    """The address as stored (nine national digits, a lower-case e-mail), or ``None`` when it
    cannot be used on that channel."""
    if channel in ("voice", "sms"):
        return national_number(address)
    if channel == "email":
        return canonical_address(address)
    return None


class NotifyService:
    """Queues batches and records outcomes; ``attempts`` per channel (calls are tried again
    when busy or unanswered, ``retry_seconds`` apart)."""

    def __init__(
        self,
        store: Store,
        bus: Bus,
        *,
        attempts: Mapping[str, int] | None = None,
        retry_seconds: float = 300,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        """Keep the collaborators; nothing runs until a method is called."""
        self.store, self.bus, self.now = store, bus, now
        self.attempts = {"voice": 3, "sms": 1, "email": 1, **(attempts or {})}
        self.retry = timedelta(seconds=retry_seconds)

    async def send(
        self, batch: str, message: Outgoing, recipients: Sequence[Recipient]
    ) -> dict[str, Any]:
        """Queue ``message`` for every recipient; the same batch sent again adds only the
        recipients it did not have (so a retried request queues nothing twice).

        Returns ``{"queued": n, "skipped": [{"channel", "address", "reason"}]}``: recipients
        whose address does not fit their channel are skipped, not fatal.
        """
        check_batch(batch)
        if not message.text.strip() or len(message.text) > MAX_TEXT:
            raise NotifyError(f"Treść powiadomienia: od 1 do {MAX_TEXT} znaków.")
        if len(recipients) > MAX_RECIPIENTS:
            raise NotifyError(f"Najwyżej {MAX_RECIPIENTS} odbiorców jednego powiadomienia.")
        wanted: dict[tuple[str, str], str] = {}
        skipped: list[dict[str, str]] = []
        for person in recipients:
            address = canonical(person.channel, person.address)
            if person.channel not in statuses.CHANNELS:
                skipped.append(_skip(person, "nieznany kanał"))
            elif address is None:
                skipped.append(_skip(person, "niepoprawny numer lub adres"))
            else:
                wanted.setdefault((person.channel, address), person.ref[:64])
        at = self.now()

        def write(session: Session) -> int:
            if session.scalar(select(NotifyMessage.id).where(NotifyMessage.batch == batch)) is None:
                session.add(NotifyMessage(
                    batch=batch, subject=message.subject[:200], text=message.text,
                    audio=message.audio[:255], confirm=message.confirm, created_at=at,
                ))  # fmt: skip
            have = set(session.execute(
                select(Delivery.channel, Delivery.address).where(Delivery.batch == batch)
            ).all())  # fmt: skip
            new = [key for key in wanted if key not in have]
            session.add_all(
                Delivery(
                    batch=batch, channel=channel, address=address,
                    recipient=wanted[channel, address], status=statuses.QUEUED, attempts=0,
                    max_attempts=self.attempts[channel], next_at=at, updated_at=at,
                )
                for channel, address in new
            )  # fmt: skip
            return len(new)

        queued = await self.store.run(write)
        return {"queued": queued, "skipped": skipped}

    async def claim(self, channel: str, limit: int) -> list[Claimed]:
        """Up to ``limit`` due deliveries of ``channel``, oldest first, marked ``sending``
        with one more attempt counted (another process never gets the same one)."""
        at = self.now()

        def write(session: Session) -> list[Claimed]:
            rows = session.scalars(
                select(Delivery)
                .where(Delivery.channel == channel, Delivery.status == statuses.QUEUED,
                       Delivery.next_at <= at)
                .order_by(Delivery.next_at, Delivery.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            ).all()  # fmt: skip
            messages = _messages(session, {row.batch for row in rows})
            taken = []
            for row in rows:
                row.status, row.attempts, row.updated_at = statuses.SENDING, row.attempts + 1, at
                taken.append(Claimed(
                    row.id, row.batch, row.channel, row.address, row.recipient, row.attempts,
                    row.max_attempts, messages[row.batch],
                ))  # fmt: skip
            return taken

        return await self.store.run(write)

    async def finish(self, delivery_id: int, outcome: str, detail: str = "") -> dict[str, Any]:
        """Record how an attempt ended. ``busy`` and ``no_answer`` go back to the queue while
        attempts remain; the returned view says which happened."""
        if outcome not in statuses.OUTCOMES:
            raise NotifyError(f"Nieznany wynik powiadomienia: {outcome[:40]!r}.")
        at = self.now()

        def write(session: Session) -> dict[str, Any]:
            row = session.get(Delivery, delivery_id, with_for_update=True)
            if row is None:
                raise UnknownDelivery()
            if row.status in statuses.FINAL:
                return delivery_view(row)  # a late report after a cancel or a confirmation
            row.detail, row.updated_at = detail[:500], at
            if outcome in statuses.RETRIED and row.attempts < row.max_attempts:
                row.status, row.next_at = statuses.QUEUED, at + self.retry
            else:
                row.status = outcome
                if outcome == "confirmed":
                    row.confirmed_at = at
            return delivery_view(row)

        view = await self.store.run(write)
        await self._publish(view)
        return view

    async def release(
        self, delivery_ids: Sequence[int], after_seconds: float = 0.0, *, count: bool = False,
        detail: str = "",
    ) -> int:  # fmt: skip
        """Give claimed deliveries back to the queue without an outcome, due ``after_seconds``
        from now: the gateway or server could not take them (down, out of credit). Their
        attempt is not counted unless ``count`` (a temporary failure that should not be tried
        for ever). Only deliveries still ``sending`` are touched."""
        if not delivery_ids:
            return 0
        at = self.now()
        due = at + timedelta(seconds=after_seconds)
        attempts = Delivery.attempts if count else Delivery.attempts - 1

        def write(session: Session) -> int:
            result = session.execute(
                update(Delivery)
                .where(Delivery.id.in_(list(delivery_ids)), Delivery.status == statuses.SENDING)
                .values(status=statuses.QUEUED, attempts=attempts, next_at=due, updated_at=at,
                        detail=detail[:500])
            )  # fmt: skip
            return int(getattr(result, "rowcount", 0) or 0)

        return await self.store.run(write)

    async def confirm(self, delivery_id: int) -> dict[str, Any]:
        """The recipient confirmed (pressed 1, opened the link): final, whatever was before
        except a cancel."""
        at = self.now()

        def write(session: Session) -> dict[str, Any]:
            row = session.get(Delivery, delivery_id, with_for_update=True)
            if row is None:
                raise UnknownDelivery()
            if row.status != "cancelled" and row.confirmed_at is None:
                row.status, row.confirmed_at, row.updated_at = "confirmed", at, at
            return delivery_view(row)

        view = await self.store.run(write)
        await self._publish(view)
        return view

    async def cancel(self, batch: str) -> int:
        """Stop a batch: every delivery not yet final or in progress is cancelled."""
        at = self.now()

        def write(session: Session) -> int:
            result = session.execute(
                update(Delivery)
                .where(Delivery.batch == batch, Delivery.status == statuses.QUEUED)
                .values(status="cancelled", updated_at=at)
            )
            return int(getattr(result, "rowcount", 0) or 0)

        return await self.store.run(write)

    async def recover(self, channel: str) -> int:
        """At start-up: deliveries left ``sending`` by a stopped process go back to the queue
        (their attempt counted), so none is lost."""
        at = self.now()

        def write(session: Session) -> int:
            result = session.execute(
                update(Delivery)
                .where(Delivery.channel == channel, Delivery.status == statuses.SENDING)
                .values(status=statuses.QUEUED, next_at=at, updated_at=at)
            )
            return int(getattr(result, "rowcount", 0) or 0)

        return await self.store.run(write)

    async def get(self, delivery_id: int) -> dict[str, Any]:
        """One delivery (404 if there is none)."""

        def read(session: Session) -> dict[str, Any]:
            row = session.get(Delivery, delivery_id)
            if row is None:
                raise UnknownDelivery()
            return delivery_view(row)

        return await self.store.run(read)

    async def deliveries(self, batch: str, channel: str | None = None) -> list[dict[str, Any]]:
        """Every delivery of a batch (one channel or all), in the order they were queued."""

        def read(session: Session) -> list[dict[str, Any]]:
            query = select(Delivery).where(Delivery.batch == batch).order_by(Delivery.id)
            if channel is not None:
                query = query.where(Delivery.channel == channel)
            return [delivery_view(row) for row in session.scalars(query)]

        return await self.store.run(read)

    async def summary(self, batch: str) -> dict[str, Any]:
        """Counts per channel and state, how many reached their recipient, and whether the
        batch is finished: ``{"channels": {channel: {status: n}}, "total", "reached",
        "finished"}``."""

        def read(session: Session) -> dict[str, Any]:
            rows = session.execute(
                select(Delivery.channel, Delivery.status, func.count())
                .where(Delivery.batch == batch)
                .group_by(Delivery.channel, Delivery.status)
            ).all()
            channels: dict[str, dict[str, int]] = {}
            for channel, status, count in rows:
                channels.setdefault(channel, {})[status] = int(count)
            return channels

        channels = await self.store.run(read)
        counts = [(status, n) for per in channels.values() for status, n in per.items()]
        return {
            "batch": batch,
            "channels": channels,
            "total": sum(n for _, n in counts),
            "reached": sum(n for status, n in counts if status in statuses.REACHED),
            "finished": all(status in statuses.FINAL for status, _ in counts),
        }

    async def _publish(self, view: Mapping[str, Any]) -> None:
        await self.bus.publish(TOPIC, {
            "type": "notify.delivery", **{k: view[k] for k in
                                          ("batch", "id", "channel", "recipient", "status")},
        })  # fmt: skip


def check_batch(batch: str) -> None:
    """``NotifyError`` unless ``batch`` is ``<kind>:<id>`` of at most ``BATCH_LENGTH``."""
    kind, _, ident = batch.partition(":")
    if not (kind.isascii() and kind.isidentifier() and ident and len(batch) <= BATCH_LENGTH):
        raise NotifyError("Nazwa partii powiadomień: rodzaj:identyfikator.")


def _skip(person: Recipient, reason: str) -> dict[str, str]:
    return {"channel": person.channel[:16], "address": person.address[:80], "reason": reason}


def _messages(session: Session, batches: set[str]) -> dict[str, Outgoing]:
    if not batches:
        return {}
    rows = session.scalars(select(NotifyMessage).where(NotifyMessage.batch.in_(batches)))
    return {row.batch: Outgoing(row.text, row.subject, row.audio, row.confirm) for row in rows}
