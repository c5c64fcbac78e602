"""Warnings by phone call on a real Asterisk: 300 voice subscribers behind the trunk (one
SIPp acting by each number's last digit) get the warning while residents keep calling in.

Every delivery ends with the outcome its number's behaviour leads to (busy and unanswered
numbers tried the set number of times), every resident's call is answered meanwhile, and
Asterisk never has more warning calls up than the limit (sampled from its own group count).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from cic.demo.runner import Sipp
from cic.demo.scenarios import ResidentCall, resident_xml
from tests.integration.harness import Harness, free_port
from tests.integration.notify_voice import (
    EXPECTED,
    GroupSampler,
    numbers,
    queue_warning,
    read_batch,
    start_recipients,
    voice_settings,
)

pytestmark = pytest.mark.integration

LIMIT = 24  # voice_calls.trunk_channels 34 minus inbound_reserve 10
ATTEMPTS = 2


@pytest.fixture(scope="module")
def trunk_port() -> int:
    """The port the subscribers' phones behind the trunk answer on."""
    return free_port()


@pytest.fixture(scope="module")
def voice(tmp_path_factory: pytest.TempPathFactory, trunk_port: int) -> Iterator[Harness]:
    """Asterisk + controller calling out through the trunk, with short rings and retries."""
    with Harness.running(
        tmp_path_factory.mktemp("cic-voice"),
        **voice_settings(trunk_port, channels=40, trunk=34, reserve=10, cps=12),
    ) as h:
        yield h


def test_a_warning_to_300_subscribers_while_residents_call_in(
    voice: Harness, trunk_port: int, tmp_path: Path
) -> None:
    recipients = start_recipients(tmp_path, trunk_port)
    voice.phones.append(recipients)
    sampler = GroupSampler(voice.settings).start()
    phones = numbers(300)
    queued = queue_warning(voice.settings, "warning:300", phones, ATTEMPTS)
    assert queued == {"queued": 300, "skipped": []}

    port = voice.port()
    residents = Sipp(
        resident_xml(ResidentCall(number="48500100199", hangup_after_ms=3000)),
        local_port=port, media_port=port + 2, calls=30, rate=0.5,
        target=f"127.0.0.1:{voice.settings.asterisk.sip_port}",
        service=voice.settings.office.extension,
    ).start()  # fmt: skip
    voice.phones.append(residents)

    def finished() -> bool:
        return bool(read_batch(voice.settings, "warning:300")[0]["finished"])

    try:
        voice.wait_for(finished, 240, "every delivery finished",
                       lambda: read_batch(voice.settings, "warning:300")[0])  # fmt: skip
        assert residents.wait(90) == 0, residents.errors()  # all 30 answered, none refused
    finally:
        sampler.stop()

    summary, deliveries = read_batch(voice.settings, "warning:300")
    assert summary["total"] == 300
    wrong = [
        (d["address"], d["status"], d["attempts"], d["detail"])
        for d in deliveries
        if d["status"] != EXPECTED[d["address"][-1]]
    ]
    assert wrong == [], Counter((EXPECTED[a[-1]], s, detail) for a, s, _, detail in wrong)
    for d in deliveries:
        retried = d["status"] in ("busy", "no_answer")
        assert d["attempts"] == (ATTEMPTS if retried else 1), d
        assert (d["confirmed_at"] is not None) == (d["status"] == "confirmed"), d
    counts = Counter(d["status"] for d in deliveries)
    assert counts == {"confirmed": 120, "answered": 60, "busy": 30, "no_answer": 30,
                      "hung_up": 30, "failed": 30}  # fmt: skip
    assert summary["reached"] == 180

    status = voice.api("GET", "/api/notify/voice")
    assert status["enabled"] is True and status["limit"] == LIMIT
    assert status["placed"] == 300 + 60  # busy and unanswered numbers twice
    assert status["timed_out"] == 0 and status["refused"] == 0 and status["active"] == 0
    assert sampler.samples > 20
    assert 0 < sampler.peak <= LIMIT  # Asterisk's own count of warning calls
    assert status["peak"] <= LIMIT
