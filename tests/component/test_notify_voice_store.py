"""The voice sender on the real notification store (SQLite and PostgreSQL) with a fake
originator in place of AMI: calls limited and paced, busy numbers tried again up to the
batch's attempts, confirmations recorded, a crash's calls recovered; and the message spoken
once per batch with the real espeak-ng (or a recording used when it is there)."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from cic import pbx_values as values
from cic.bus import InProcessBus
from cic.config import VoiceCallSettings
from cic.db import Store
from cic.notify.service import NotifyService, Outgoing, Recipient
from cic.notify.voice import SpokenMessages, VoiceCall, VoiceSender

MESSAGE = Outgoing("Ostrzeżenie: silny wiatr w sołectwie Dębówka.", confirm=True)


class Originator:
    """Records the calls it was asked to place."""

    def __init__(self) -> None:
        self.calls: list[VoiceCall] = []

    def ready(self) -> bool:
        return True

    async def place(self, call: VoiceCall) -> None:
        self.calls.append(call)


async def fixed_sound(_batch: str, _message: Outgoing) -> values.SoundPath:
    return values.SoundPath("/srv/cic/t/sounds/cic-pl/notify/warning-x")


@pytest.fixture
async def notify(db_url: str) -> AsyncIterator[NotifyService]:
    store = Store(db_url)
    store.migrate()
    bus = InProcessBus()
    yield NotifyService(store, bus, attempts={"voice": 2}, retry_seconds=0)
    await bus.close()
    await store.close()


def sender_for(notify: NotifyService, originator: Originator) -> VoiceSender:
    settings = VoiceCallSettings(channels=3, calls_per_second=50.0)
    return VoiceSender(notify, originator, fixed_sound, settings)


async def test_calls_are_limited_retried_and_recorded(notify: NotifyService) -> None:
    numbers = [f"50010020{i}" for i in range(5)]
    queued = await notify.send("warning:7", MESSAGE, [Recipient("voice", n) for n in numbers])
    assert queued["queued"] == 5
    originator = Originator()
    sender = sender_for(notify, originator)
    assert await sender.step() == 3
    assert [c.dial for c in originator.calls] == [f"PJSIP/0{n}@residents" for n in numbers[:3]]
    states = {d["address"]: d["status"] for d in await notify.deliveries("warning:7")}
    assert list(states.values()).count("sending") == 3
    first = {c.delivery_id: c for c in originator.calls}
    ids = sorted(first)
    assert await sender.report(ids[0], 1, "confirmed") == "confirmed"
    assert await sender.report(ids[1], 1, "BUSY") == "busy"
    assert await sender.report(ids[2], 1, "hung_up") == "hung_up"
    assert await sender.step() == 3  # the two not yet called and the busy one again
    again = [c for c in originator.calls[3:] if c.delivery_id == ids[1]]
    assert [c.attempt for c in again] == [2]
    for call in originator.calls[3:]:
        outcome = "BUSY" if call.delivery_id == ids[1] else "NOANSWER"
        await sender.report(call.delivery_id, call.attempt, outcome)
    assert await sender.step() == 2  # the two unanswered ones, their second attempt
    for call in originator.calls[6:]:
        await sender.report(call.delivery_id, call.attempt, "answered")
    summary = await notify.summary("warning:7")
    assert summary["finished"] and summary["reached"] == 3
    assert summary["channels"]["voice"] == {"confirmed": 1, "busy": 1, "hung_up": 1,
                                            "answered": 2}  # fmt: skip
    rows = {d["id"]: d for d in await notify.deliveries("warning:7")}
    assert rows[ids[0]]["confirmed_at"] is not None and rows[ids[1]]["attempts"] == 2
    assert sender.status()["peak"] == 3 and sender.status()["placed"] == 8


async def test_calls_in_progress_at_a_crash_are_called_again(notify: NotifyService) -> None:
    await notify.send("warning:8", MESSAGE, [Recipient("voice", "500100210")])
    crashed = sender_for(notify, Originator())
    assert await crashed.step() == 1  # then the process died without a report
    originator = Originator()
    task = asyncio.create_task(sender_for(notify, originator).run())
    try:
        for _ in range(100):
            if originator.calls:
                break
            await asyncio.sleep(0.05)
    finally:
        task.cancel()
    assert [c.attempt for c in originator.calls] == [2]
    row = (await notify.deliveries("warning:8"))[0]
    assert row["status"] == "sending" and row["attempts"] == 2


@pytest.fixture
def speech_tools() -> None:
    missing = [t for t in ("espeak-ng", "sox") if not shutil.which(t)]
    if missing:
        pytest.skip(f"needs {', '.join(missing)}")


async def test_the_message_is_spoken_once_per_batch(tmp_path: Path, speech_tools: Any) -> None:
    spoken = SpokenMessages(tmp_path / "notify", "/srv/cic/t/sounds/cic-pl/notify")
    first = await spoken("warning:9", MESSAGE)
    assert first.startswith("/srv/cic/t/sounds/cic-pl/notify/warning-")
    wav = tmp_path / "notify" / f"{first.rsplit('/', 1)[1]}.wav"
    made = wav.stat().st_mtime_ns
    assert wav.stat().st_size > 8000  # seconds of 8 kHz 16-bit speech
    assert await spoken("warning:9", MESSAGE) == first
    assert wav.stat().st_mtime_ns == made  # not generated again
    other = await spoken("warning:10", Outgoing("Inna treść ostrzeżenia."))
    assert other != first


async def test_a_recording_is_played_when_it_is_there(tmp_path: Path, speech_tools: Any) -> None:
    spoken = SpokenMessages(tmp_path / "notify", "/srv/cic/t/sounds/cic-pl/notify")
    spoken.recorded_dir.mkdir(parents=True)
    (spoken.recorded_dir / "burza.wav").write_bytes(b"RIFF")
    played = await spoken("warning:11", Outgoing("Burza.", audio="burza.wav"))
    assert played == "/srv/cic/t/sounds/cic-pl/notify/recorded/burza"
    missing = await spoken("warning:11", Outgoing("Burza.", audio="brak.wav"))
    assert missing.startswith("/srv/cic/t/sounds/cic-pl/notify/warning-")  # the text, spoken
