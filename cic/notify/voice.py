"""The voice sender of the notification store: Asterisk calls each voice recipient.

:class:`VoiceSender` claims due ``voice`` deliveries, has each called (AMI Originate of
``Local/<delivery>@cic-notify-dial``, see ``dialplan/notify.conf.j2``) and finishes it when the
dialplan reports the outcome over FastAGI ``notify-result``. At most ``voice_calls.limit``
calls are up at once (the dialplan enforces the same limit with ``GROUP_COUNT``, so that a
second controller cannot exceed it either), call starts are paced to
``voice_calls.calls_per_second``, and a call whose report never comes (Asterisk restarted) is
finished as ``failed`` after ``voice_calls.report_timeout_seconds``.

Every value that reaches the dialplan is parsed by its grammar (:mod:`cic.pbx_values`) first:
a delivery whose number or message file breaks it is finished as ``failed``, never dialled.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from cic import pbx_values as values
from cic.asterisk import dialplan, prompts
from cic.asterisk.actions import PbxError
from cic.asterisk.agi import AgiChannel, AgiServer
from cic.asterisk.ami import AmiSession
from cic.asterisk.originate import originate_local
from cic.config import VoiceCallSettings
from cic.notify.service import Claimed, Outgoing
from cic.supervisor import rounds

log = logging.getLogger(__name__)
CHANNEL = "voice"
#: Extra seconds Originate waits beyond the ring time: the dialplan may wait up to 15 s for a
#: free channel first, and Dial()'s own timeout must end the ringing before Originate does.
ORIGINATE_MARGIN = 30
#: What the dialplan reports (``CIC_NT_RESULT``) -> the store's outcome and a detail.
RESULTS: Mapping[str, tuple[str, str]] = {
    "confirmed": ("confirmed", ""),
    "answered": ("answered", ""),
    "hung_up": ("hung_up", ""),
    "BUSY": ("busy", ""),
    "NOANSWER": ("no_answer", ""),
    "CANCEL": ("no_answer", "przerwane przed odebraniem"),
    "CHANUNAVAIL": ("failed", "numer niedostępny"),
    "CONGESTION": ("failed", "przeciążenie łącza"),
    "FULL": ("busy", "wszystkie kanały ostrzeżeń zajęte"),
}


def parse_result(status: str) -> tuple[str, str]:
    """The store's outcome and a detail for what the dialplan reported; anything unknown
    (a value that should not occur) is ``failed`` with the value, shortened, as detail."""
    known = RESULTS.get(status.strip())
    if known is not None:
        return known
    shown = "".join(c for c in status if c.isascii() and c.isprintable())[:40]
    return "failed", f"nieznany wynik połączenia: {shown or 'brak'}"


@dataclass(frozen=True)
class VoiceCall:
    """One call to place: every field already parsed by its grammar."""

    delivery_id: int
    attempt: int
    dial: values.DialTarget
    sound: values.SoundPath
    ring_seconds: int
    confirm_seconds: int

    @property
    def channel_id(self) -> str:
        """The ;1 half's unique id (attempts of one delivery differ)."""
        return f"cic-notify-{self.delivery_id}-{self.attempt}"


def dial_target(settings: VoiceCallSettings, number: str) -> values.DialTarget:
    """The Dial() target for a national number: ``voice_calls.dial`` with the prefix."""
    digits = values.Digits.parse(number, "Numer odbiorcy")
    template = values.DialTemplate.parse(settings.dial, "voice_calls.dial")
    return values.DialTarget.parse(
        template.format(number=settings.number_prefix + digits), "Cel połączenia"
    )


class Originator(Protocol):
    """Starts calls in the PBX."""

    def ready(self) -> bool:
        """True when calls can be placed now (AMI connected)."""
        ...

    async def place(self, call: VoiceCall) -> None:
        """Start the call; raises :class:`PbxError` when the PBX refused it."""
        ...


class Store(Protocol):
    """The part of :class:`cic.notify.service.NotifyService` a sender uses."""

    async def claim(self, channel: str, limit: int) -> list[Claimed]:
        """Due deliveries of ``channel``, marked ``sending``."""
        ...

    async def finish(self, delivery_id: int, outcome: str, detail: str = "") -> dict[str, Any]:
        """Record an attempt's outcome."""
        ...

    async def recover(self, channel: str) -> int:
        """Deliveries left ``sending`` by a stopped process back to the queue."""
        ...


Sounds = Callable[[str, Outgoing], Awaitable[values.SoundPath]]


class AmiOriginator:
    """Places warning calls with AMI Originate of ``Local/<delivery>@cic-notify-dial``."""

    def __init__(self, session: AmiSession, office_number: str) -> None:
        """``office_number``: the digits shown to the recipient as the caller."""
        self.session = session
        self.caller_id = values.Digits.parse(office_number, "office.number")

    def ready(self) -> bool:
        """True while AMI is connected."""
        return bool(self.session.stats.connected)

    async def place(self, call: VoiceCall) -> None:
        """Originate the call; Asterisk reports its outcome over FastAGI."""
        await originate_local(
            self.session,
            local=f"{call.delivery_id}@{dialplan.NOTIFY_DIAL_CONTEXT}",
            context=dialplan.NOTIFY_MESSAGE_CONTEXT,
            exten=str(call.delivery_id),
            channel_id=call.channel_id,
            caller_id=f"<{self.caller_id}>",
            variables={
                dialplan.NT_ID: str(call.delivery_id),
                dialplan.NT_ATTEMPT: str(call.attempt),
                dialplan.NT_DIAL: call.dial,
                dialplan.NT_RING: str(call.ring_seconds),
                dialplan.NT_WAIT: str(call.confirm_seconds),
                dialplan.NT_FILE: call.sound,
            },
            timeout_seconds=call.ring_seconds + ORIGINATE_MARGIN,
        )


class SpokenMessages:
    """The message file of a batch as Asterisk plays it: the recorded ``audio`` file when it
    is set and present in ``recorded/``, else the text spoken once per batch with espeak-ng
    (kept ``keep_seconds``: a call-out may name a person or an address)."""

    def __init__(self, host_dir: Path, asterisk_dir: str, keep_seconds: float = 7 * 86400) -> None:
        """``host_dir`` is ``asterisk_dir`` as the controller sees it."""
        self.host_dir, self.asterisk_dir, self.keep = host_dir, asterisk_dir, keep_seconds

    @property
    def recorded_dir(self) -> Path:
        """Where recorded messages (``Outgoing.audio``) are put, as the controller sees it."""
        return self.host_dir / "recorded"

    async def __call__(self, batch: str, message: Outgoing) -> values.SoundPath:
        """The file for ``message`` (generated now if missing); raises
        :class:`~cic.pbx_values.UnsafeValue` or :class:`~cic.asterisk.prompts.PromptError`."""
        if message.audio:
            audio = values.SoundName.parse(message.audio, "Nagranie komunikatu")
            stem = audio[:-4] if audio.lower().endswith(".wav") else str(audio)
            if (self.recorded_dir / f"{stem}.wav").is_file():
                return values.SoundPath.parse(f"{self.asterisk_dir}/recorded/{stem}", "Nagranie")
            log.warning("batch %s: recording %s is missing, the text is spoken", batch, stem)
        digest = hashlib.sha256(message.text.encode("utf-8")).hexdigest()[:16]
        kind = "".join(c for c in batch.partition(":")[0] if c.isascii() and c.isalnum())[:20]
        name = f"{kind or 'batch'}-{digest}"
        if not (self.host_dir / f"{name}.wav").is_file():
            await asyncio.to_thread(
                prompts.spoken_file, message.text, self.host_dir, name, self.keep
            )
        return values.SoundPath.parse(f"{self.asterisk_dir}/{name}", "Komunikat")


@dataclass
class Active:
    """A call the sender placed and waits for the report of."""

    attempt: int
    started: float
    deadline: float


@dataclass
class VoiceStats:
    """What the sender did since it started (for the status API and the bench)."""

    placed: int = 0
    reported: int = 0
    timed_out: int = 0
    refused: int = 0
    peak: int = 0
    first_start: float = 0.0
    last_start: float = 0.0

    def as_dict(self, active: int, limit: int) -> dict[str, Any]:
        """JSON for ``/api/notify/voice``."""
        span = self.last_start - self.first_start
        rate = (self.placed - 1) / span if self.placed > 1 and span > 0 else 0.0
        return {
            "active": active, "limit": limit, "peak": self.peak, "placed": self.placed,
            "reported": self.reported, "timed_out": self.timed_out, "refused": self.refused,
            "calls_per_second": round(rate, 3),
        }  # fmt: skip


class VoiceSender:
    """Keeps at most ``settings.limit`` warning calls up, paced, and records their outcomes."""

    def __init__(
        self,
        store: Store,
        originator: Originator,
        sounds: Sounds,
        settings: VoiceCallSettings,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        poll_seconds: float = 1.0,
    ) -> None:
        """Nothing runs until :meth:`run` (or :meth:`step`) is called."""
        self.store, self.originator, self.sounds = store, originator, sounds
        self.settings, self.clock, self.sleep, self.poll = settings, clock, sleep, poll_seconds
        self.active: dict[int, Active] = {}
        self.stats = VoiceStats()
        self._next_start = 0.0
        self._wake = asyncio.Event()

    @property
    def limit(self) -> int:
        """How many calls may be up at once."""
        return self.settings.limit

    def status(self) -> dict[str, Any]:
        """The sender's figures now."""
        return self.stats.as_dict(len(self.active), self.limit)

    async def run(self) -> None:
        """Recover what a stopped process left ``sending``, then place calls until cancelled."""
        recovered = await self.store.recover(CHANNEL)
        if recovered:
            log.warning("%d voice deliveries left in progress went back to the queue", recovered)
        await rounds(self.step, self._wake, self.poll, "voice sender")

    async def step(self) -> int:
        """Finish overdue calls, then claim and place as many as there is room for; returns
        how many calls were placed."""
        await self._expire()
        if not self.originator.ready():
            return 0
        placed = 0
        while (room := self.limit - len(self.active)) > 0:
            batch = max(1, min(room, round(self.settings.calls_per_second * 2)))
            claimed = await self.store.claim(CHANNEL, batch)
            for delivery in claimed:
                placed += await self._place(delivery)
            if len(claimed) < batch:
                break
        return placed

    async def report(self, delivery_id: int, attempt: int, status: str) -> str | None:
        """The dialplan's report of a call: finish the delivery; returns the outcome, or
        ``None`` for a report of no call this sender waits for (late, or of another attempt)."""
        active = self.active.get(delivery_id)
        if active is None or active.attempt != attempt:
            log.warning("voice report for delivery %s attempt %s not awaited", delivery_id, attempt)
            return None
        outcome, detail = parse_result(status)
        del self.active[delivery_id]
        self.stats.reported += 1
        await self.store.finish(delivery_id, outcome, detail)
        self._wake.set()
        return outcome

    async def _place(self, delivery: Claimed) -> int:
        now = self.clock()
        self.active[delivery.id] = Active(delivery.attempt, now, now + self._timeout())
        try:
            call = VoiceCall(
                delivery.id, delivery.attempt, dial_target(self.settings, delivery.address),
                await self.sounds(delivery.batch, delivery.message),
                self.settings.ring_seconds, self.settings.confirm_seconds,
            )  # fmt: skip
        except (values.UnsafeValue, prompts.PromptError) as exc:
            await self._refuse(delivery.id, f"komunikatu lub numeru nie można użyć: {exc}")
            return 0
        await self._pace()
        self.active[delivery.id].deadline = self.clock() + self._timeout()
        try:
            await self.originator.place(call)
        except PbxError as exc:
            await self._refuse(delivery.id, f"centrala odrzuciła połączenie: {exc}")
            return 0
        started = self.clock()
        self.stats.placed += 1
        self.stats.first_start = self.stats.first_start or started
        self.stats.last_start = started
        self.stats.peak = max(self.stats.peak, len(self.active))
        return 1

    async def _pace(self) -> None:
        now = self.clock()
        if self._next_start > now:
            await self.sleep(self._next_start - now)
            now = self.clock()
        self._next_start = max(now, self._next_start) + 1.0 / self.settings.calls_per_second

    async def _refuse(self, delivery_id: int, detail: str) -> None:
        self.active.pop(delivery_id, None)
        self.stats.refused += 1
        log.warning("voice delivery %s not called: %s", delivery_id, detail)
        await self.store.finish(delivery_id, "failed", detail[:500])

    async def _expire(self) -> None:
        now = self.clock()
        for delivery_id, active in list(self.active.items()):
            if active.deadline <= now:
                del self.active[delivery_id]
                self.stats.timed_out += 1
                await self.store.finish(delivery_id, "failed", "brak wyniku połączenia z centrali")

    def _timeout(self) -> float:
        return float(self.settings.report_timeout_seconds)


def _int(value: str | None) -> int:
    try:
        return int(value or "")
    except ValueError:
        return 0


def add_agi_script(server: AgiServer, sender: VoiceSender) -> None:
    """Serve FastAGI ``notify-result`` (``CIC_NT_ID``, ``CIC_NT_ATTEMPT``, ``CIC_NT_RESULT``)."""

    async def result(agi: AgiChannel, _headers: Mapping[str, str]) -> None:
        delivery_id = _int(await agi.get_variable(dialplan.NT_ID))
        attempt = _int(await agi.get_variable(dialplan.NT_ATTEMPT))
        status = await agi.get_variable(dialplan.NT_RESULT) or ""
        if delivery_id <= 0 or attempt <= 0:
            log.warning("voice report without a delivery id or attempt")
            return
        await sender.report(delivery_id, attempt, status)

    server.add_script("notify-result", result, timeout=15.0)
