"""The SMS and e-mail senders of the notification store: each loops on
``NotifyService.claim`` and records every outcome with ``finish``.

SMS go through the gateway adapter (``cic.sms``) at most ``per_second`` a second. A refusal
of one number fails that delivery; a temporary failure (HTTP 5xx, a timeout) pauses every
worker and sends the same message again, with doubling pauses, and after ``temporary_tries``
gives the delivery back to the queue for later (its attempt counted: it is not tried for
ever). "Too fast" (HTTP 429) halves the rate as well and is not counted as a failure. A
failure of the whole gateway (refused token, no credit, an unverified sender name) stops the
sender: the deliveries stay queued, not failed, an alarm goes to the log and the bus
(``{"type": "notify.alarm", "channel": "sms", "stopped", "message"}``) and the state shows in
the supervisors' API; the gateway is tried again ``gateway_check_seconds`` later.

Each message carries an idempotency key (``cic-notify-<delivery id>``, SMSAPI's ``idx`` with
``check_idx``), so a message sent just before a crash is not sent again when the recovered
delivery is claimed anew. E-mails keep one Message-ID per delivery for the same reason.

The voice sender (calls through Asterisk) is a separate loop in ``cic/notify/voice*.py``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cic.bus import Bus
from cic.channels.outbox import SenderIdentity, Transport
from cic.mail.compose import build_message
from cic.mail.errors import MailSendError
from cic.notify.links import ConfirmLinks
from cic.notify.service import TOPIC, Claimed, NotifyService
from cic.sms.errors import SmsGatewayError, SmsRecipientError, SmsTemporaryError
from cic.sms.provider import Provider
from cic.sms.ratelimit import RateLimiter

log = logging.getLogger(__name__)

#: How often one message may meet "too fast" before it waits for a later round.
THROTTLED_TRIES = 30
#: The share of ``per_second`` the sender aims at.
HEADROOM = 0.9


def sms_text(claimed: Claimed, links: ConfirmLinks | None) -> str:
    """The words of one SMS: the subject as a prefix, the text, the confirmation link."""
    message = claimed.message
    text = f"{message.subject}: {message.text}" if message.subject else message.text
    if message.confirm and links is not None:
        text += f"\nPotwierdź odbiór: {links.url(claimed.id)}"
    return text


def email_text(claimed: Claimed, links: ConfirmLinks | None, office: str) -> str:
    """The body of one e-mail: the text, the confirmation link, who sent it and why."""
    message = claimed.message
    lines = [message.text.strip(), ""]
    if message.confirm and links is not None:
        lines += [
            "Prosimy o potwierdzenie, że ta wiadomość do Ciebie dotarła:",
            links.url(claimed.id), "",
        ]  # fmt: skip
    lines += [
        "--", office,
        "Wiadomość wysłana przez system powiadamiania urzędu. Prosimy na nią nie odpowiadać.",
    ]  # fmt: skip
    return "\n".join(lines)


@dataclass
class SenderState:
    """How a sender is doing, for the supervisors' API: ``stopped`` with the ``reason`` when
    its gateway refuses everything, the counts since start."""

    channel: str
    stopped: bool = False
    reason: str = ""
    since: datetime | None = None
    sent: int = 0
    failed: int = 0
    requeued: int = 0

    def as_dict(self) -> dict[str, Any]:
        """JSON."""
        return {
            "channel": self.channel, "stopped": self.stopped, "reason": self.reason,
            "since": self.since.isoformat() if self.since else None, "sent": self.sent,
            "failed": self.failed, "requeued": self.requeued,
        }  # fmt: skip


class _Loop:
    """What both senders share: recover at start, rounds until there is nothing due, then
    wait for a poke or the poll interval."""

    channel = ""

    def __init__(self, service: NotifyService, bus: Bus, batch: int) -> None:
        self.service, self.bus, self.batch = service, bus, batch
        self.state = SenderState(self.channel)
        self.wake = asyncio.Event()

    def poke(self) -> None:
        """Something was queued: look now."""
        self.wake.set()

    async def run(self, poll_seconds: float) -> None:
        """Forever (under the supervisor): deliveries left ``sending`` by a stopped process
        go back to the queue first."""
        recovered = await self.service.recover(self.channel)
        if recovered:
            log.warning("notify %s: %d deliveries recovered after a stop", self.channel, recovered)
        while True:
            if await self.round():
                continue
            self.wake.clear()
            try:
                await asyncio.wait_for(self.wake.wait(), poll_seconds)
            except TimeoutError:
                pass

    async def round(self) -> int:
        """Claim and send one batch; returns how many were claimed."""
        raise NotImplementedError

    async def _release(self, claimed: Claimed, after: float, count: bool, detail: str) -> None:
        if count and claimed.attempt >= claimed.max_attempts:
            await self.service.finish(claimed.id, "failed", detail)
            self.state.failed += 1
            return
        await self.service.release([claimed.id], after, count=count, detail=detail)
        self.state.requeued += 1


class SmsSender(_Loop):
    """Sends due SMS deliveries through ``provider``."""

    channel = "sms"

    def __init__(
        self,
        service: NotifyService,
        bus: Bus,
        provider: Provider,
        *,
        per_second: int,
        links: ConfirmLinks | None = None,
        batch: int = 50,
        retry_seconds: float = 300,
        gateway_check_seconds: float = 300,
        temporary_tries: int = 6,
        first_pause: float = 1.0,
        max_pause: float = 60.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        """``per_second``: the gateway's limit; ``links`` None: no confirmation links."""
        super().__init__(service, bus, batch)
        self.provider, self.links = provider, links
        # A tenth below the limit: requests may reach the gateway closer together than they
        # left, and one over its limit costs a pause of everyone.
        self.limiter = RateLimiter(per_second * HEADROOM)
        self.workers = max(1, min(16, per_second))
        self.retry_seconds, self.gateway_check = retry_seconds, gateway_check_seconds
        self.temporary_tries, self.first_pause, self.max_pause = (
            temporary_tries, first_pause, max_pause,
        )  # fmt: skip
        self._monotonic = monotonic
        self._retry_at = 0.0

    async def round(self) -> int:
        """See ``_Loop.round``; nothing while the gateway is stopped and not due a new try."""
        if self.state.stopped and self._monotonic() < self._retry_at:
            return 0
        claimed = await self.service.claim(self.channel, self.batch)
        todo = list(reversed(claimed))

        async def worker() -> None:
            while todo:
                await self._deliver(todo.pop())

        async with asyncio.TaskGroup() as group:  # one worker failing stops the others
            for _ in range(min(self.workers, len(claimed))):
                group.create_task(worker())
        return len(claimed) if not self.state.stopped else 0

    async def _deliver(self, claimed: Claimed) -> None:
        text, pause, tries, throttled = sms_text(claimed, self.links), self.first_pause, 0, 0
        while True:
            if self.state.stopped and self._monotonic() < self._retry_at:
                await self.service.release([claimed.id], detail="bramka SMS wstrzymana")
                self.state.requeued += 1
                return
            await self.limiter.wait()
            try:
                sent = await self.provider.send(claimed.address, text, f"cic-notify-{claimed.id}")
            except SmsRecipientError as exc:
                await self.service.finish(claimed.id, "failed", exc.message)
                self.state.failed += 1
                return
            except SmsGatewayError as exc:
                await self._stop(exc.message)
                await self.service.release([claimed.id], detail=exc.message)
                self.state.requeued += 1
                return
            except SmsTemporaryError as exc:
                if exc.throttled:  # the gateway's limit, not this message's trouble
                    throttled += 1
                    self.limiter.slower()
                else:
                    tries += 1
                if tries >= self.temporary_tries or throttled >= THROTTLED_TRIES:
                    await self._release(claimed, self.retry_seconds, True, exc.message)
                    return
                self.limiter.pause(exc.retry_after or pause)
                pause = min(pause * 2, self.max_pause)
                continue
            self.limiter.faster()
            await self._resume()
            detail = f"{self.provider.name} {sent.gateway_id}; części: {sent.parts}"
            if sent.duplicate:
                detail = "bramka miała już tę wiadomość (wysłana wcześniej)"
            await self.service.finish(claimed.id, "delivered", detail)
            self.state.sent += 1
            return

    async def _stop(self, reason: str) -> None:
        self._retry_at = self._monotonic() + self.gateway_check
        if self.state.stopped and self.state.reason == reason:
            return
        self.state.stopped, self.state.reason = True, reason
        self.state.since = datetime.now(UTC)
        log.error("notify sms: the gateway refuses every message, sending stopped: %s", reason)
        await self.bus.publish(TOPIC, {
            "type": "notify.alarm", "channel": self.channel, "stopped": True,
            "message": f"Wysyłka SMS wstrzymana: {reason}",
        })  # fmt: skip

    async def _resume(self) -> None:
        if not self.state.stopped:
            return
        self.state.stopped, self.state.reason, self.state.since = False, "", None
        log.warning("notify sms: the gateway accepts messages again, sending resumed")
        await self.bus.publish(TOPIC, {
            "type": "notify.alarm", "channel": self.channel, "stopped": False,
            "message": "Wysyłka SMS wznowiona.",
        })  # fmt: skip


class EmailSender(_Loop):
    """Sends due e-mail deliveries through the office's SMTP server."""

    channel = "email"

    def __init__(
        self,
        service: NotifyService,
        bus: Bus,
        transport: Transport,
        identity: SenderIdentity,
        *,
        domain: str,
        office: str,
        links: ConfirmLinks | None = None,
        batch: int = 20,
        retry_seconds: float = 300,
    ) -> None:
        """``domain`` of the Message-IDs; ``office`` signs the messages."""
        super().__init__(service, bus, batch)
        self.transport, self.identity, self.links = transport, identity, links
        self.domain, self.office, self.retry_seconds = domain, office, retry_seconds
        self.unsubscribe: dict[str, Callable[[str], Awaitable[str]]] = {}

    async def round(self) -> int:
        """See ``_Loop.round``. When the server itself is in trouble (no connection, a 4xx
        for the whole message), the rest of the round goes back to the queue untried."""
        claimed = await self.service.claim(self.channel, self.batch)
        for done, item in enumerate(claimed):
            if not await self._deliver(item):
                rest = [later.id for later in claimed[done + 1 :]]
                await self.service.release(
                    rest, self.retry_seconds, detail="serwer poczty niedostępny"
                )
                self.state.requeued += len(rest)
                break
        return len(claimed)

    def add_unsubscribe(self, kind: str, link: Callable[[str], Awaitable[str]]) -> None:
        """Letters of batches ``<kind>:…`` end with the recipient's one-click unsubscribe
        link (``await link(recipient)``; '' for none) and carry it in ``List-Unsubscribe``."""
        self.unsubscribe[kind] = link

    async def _deliver(self, claimed: Claimed) -> bool:
        """Send one; False when the server (not this recipient) had a temporary failure."""
        subject = claimed.message.subject or f"Powiadomienie: {self.office}"
        text = email_text(claimed, self.links, self.office)
        link_of = self.unsubscribe.get(claimed.batch.partition(":")[0])
        unsubscribe = await link_of(claimed.recipient) if link_of is not None else ""
        if unsubscribe:
            text += f"\n\nAby nie otrzymywać tych wiadomości: {unsubscribe}"
        try:
            message = build_message(
                sender=self.identity.address, sender_name=self.identity.name,
                to=[claimed.address], subject=subject, text=text,
                message_id=f"<powiadomienie-{claimed.id}@{self.domain}>",
                loop_marker=("X-CIC-Loop", self.identity.address),
            )  # fmt: skip
            if unsubscribe:  # RFC 8058: one click from the mail program
                message["List-Unsubscribe"] = f"<{unsubscribe}>"
                message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
            await self.transport.send(
                message, sender=self.identity.address, recipients=[claimed.address]
            )
        except ValueError as exc:
            await self.service.finish(claimed.id, "failed", f"Nie można zbudować wiadomości: {exc}")
            self.state.failed += 1
        except MailSendError as exc:
            if exc.temporary:
                await self._release(claimed, self.retry_seconds, True, exc.message)
                return bool(exc.refused)  # only this recipient was turned away for now
            await self.service.finish(claimed.id, "failed", exc.message)
            self.state.failed += 1
        else:
            await self.service.finish(claimed.id, "delivered", "przyjęta przez serwer poczty")
            self.state.sent += 1
        return True
