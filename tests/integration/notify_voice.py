"""Shared by the voice warning test and bench: the SIPp recipients behind the trunk, the
300-odd subscribers queued in the controller's own database, and a sampler of the warning
calls Asterisk has up (``group show channels``)."""

from __future__ import annotations

import asyncio
import re
import threading
import time
from pathlib import Path
from typing import Any

from cic.asterisk import process, provision
from cic.bus import make_bus
from cic.config import Settings
from cic.db import Store
from cic.demo.pcap import dtmf_pcap
from cic.demo.runner import Sipp
from cic.notify.service import NotifyService, Outgoing, Recipient

SCENARIO = Path(__file__).resolve().parents[1] / "fixtures" / "sipp" / "notify_recipients.xml"
#: The outcome each last digit of a number ends with (see the scenario).
EXPECTED = {
    **dict.fromkeys("0123", "confirmed"),
    **dict.fromkeys("45", "answered"),
    "6": "busy",
    "7": "no_answer",
    "8": "hung_up",
    "9": "failed",
}
MESSAGE = "Uwaga, próbne ostrzeżenie gminy."


def voice_settings(
    trunk_port: int, channels: int, trunk: int, reserve: int, cps: float
) -> dict[str, str]:
    """Harness settings: the trunk pointing at the recipients, the limit and pace given, and
    short rings, question timeouts and retries (two attempts, 2 s apart)."""
    return {
        "CIC_ASTERISK__TRUNK_CONTACT": f"sip:127.0.0.1:{trunk_port}",
        "CIC_VOICE_CALLS__CHANNELS": str(channels),
        "CIC_VOICE_CALLS__TRUNK_CHANNELS": str(trunk),
        "CIC_VOICE_CALLS__INBOUND_RESERVE": str(reserve),
        "CIC_VOICE_CALLS__CALLS_PER_SECOND": str(cps),
        "CIC_VOICE_CALLS__RING_SECONDS": "4",
        "CIC_VOICE_CALLS__CONFIRM_SECONDS": "2",
        "CIC_NOTIFY__VOICE_ATTEMPTS": "2",
        "CIC_NOTIFY__RETRY_SECONDS": "2",
        "CIC_VOICE_CALLS__REPORT_TIMEOUT_SECONDS": "90",
        "CIC_OVERFLOW__ENABLED": "false",
    }


def recipients_xml(folder: Path, answer_ms: int = 300) -> str:
    """The recipients' scenario with two presses of key 1 made into ``folder``."""
    first = dtmf_pcap("1", folder / "press-1a.pcap", 0)
    second = dtmf_pcap("1", folder / "press-1b.pcap", 1)
    text = SCENARIO.read_text(encoding="utf-8")
    return (
        text.replace("@PRESS1A@", str(first))
        .replace("@PRESS1B@", str(second))
        .replace("@ANSWER_MS@", str(answer_ms))
    )


def start_recipients(folder: Path, port: int) -> Sipp:
    """SIPp answering the trunk's calls on ``port`` until stopped."""
    return Sipp(recipients_xml(folder), local_port=port, media_port=port + 2, calls=0).start()


def numbers(count: int, first: int = 500_100_200, digits: str = "0123456789") -> list[str]:
    """Made-up national numbers whose last digits cycle through ``digits`` (the behaviours)."""
    step = len(digits)
    return [str(first + (i // step) * 10 + int(digits[i % step])) for i in range(count)]


def queue_warning(
    settings: Settings, batch: str, phones: list[str], attempts: int, text: str = MESSAGE
) -> dict[str, Any]:
    """Queue a voice warning in the controller's database, as a warning domain would."""

    async def send() -> dict[str, Any]:
        store = Store(settings.db_url)
        try:
            service = NotifyService(store, make_bus(""), attempts={"voice": attempts})
            return await service.send(
                batch, Outgoing(text, confirm=True), [Recipient("voice", p) for p in phones]
            )
        finally:
            await store.close()

    return asyncio.run(send())


def read_batch(settings: Settings, batch: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The batch's summary and deliveries, from the controller's database."""

    async def read() -> tuple[dict[str, Any], list[dict[str, Any]]]:
        store = Store(settings.db_url)
        try:
            service = NotifyService(store, make_bus(""))
            return await service.summary(batch), await service.deliveries(batch, "voice")
        finally:
            await store.close()

    return asyncio.run(read())


_GROUP_LINE = re.compile(r"\bout\s+cic-notify\b")


class GroupSampler:
    """Counts, every ``interval`` seconds, the channels in Asterisk's ``out@cic-notify`` group
    (the warning calls up); ``peak`` is the most seen at once, ``mean`` the average."""

    def __init__(self, settings: Settings, interval: float = 0.25) -> None:
        """Nothing runs until :meth:`start`."""
        self.layout = provision.locate(settings)
        self.interval = interval
        self.peak = 0
        self.samples = 0
        self.total = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @property
    def mean(self) -> float:
        """The average number of warning calls up over the samples."""
        return self.total / self.samples if self.samples else 0.0

    def start(self) -> GroupSampler:
        """Sample in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop sampling."""
        self._stop.set()
        self._thread.join(timeout=15)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                text = process.rx(self.layout, "group show channels")
            except Exception:
                text = ""
            count = len(_GROUP_LINE.findall(text))
            self.peak = max(self.peak, count)
            self.samples += 1
            self.total += count
            time.sleep(self.interval)
