"""A recording that is missing, empty or much too short (a full disk) is a RecordingFailed on
the call's timeline and the bus, with the disk's free space; the call record is kept whole."""

from __future__ import annotations

import wave
from datetime import timedelta
from pathlib import Path

import pytest

from cic import events as ev
from cic.calls import handlers
from cic.calls.handlers import CallEventHandler
from cic.calls.service import CallService
from cic.db import Store, migrate
from cic.wallboard.service import Wallboard
from tests.component.test_call_service import ANNA, FakeBus, at


def _wav(path: Path, seconds: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\1\0" * int(8000 * seconds))


async def _call(handler: CallEventHandler, call_id: str, talk: float) -> None:
    """A recorded, answered call of ``talk`` seconds."""
    path = f"/rec/{call_id}.wav"
    for event in (
        ev.CallEntered(at(0), call_id, "PJSIP/trunk-1", "48500100200", "Jan", "1000"),
        ev.RecordingStarted(at(1), call_id, path),
        ev.CallAnswered(at(2), call_id, "pierwsza-linia", ANNA, 1.0),
        ev.CallEnded(at(1 + talk), call_id, "16", talk),
    ):
        await handler(event)
    await handler.drain()


async def test_missing_empty_and_short_recordings_are_failures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'cic.db'}"
    migrate(url)
    bus = FakeBus()
    service = CallService(Store(url), bus, recording_settle=0.3)  # type: ignore[arg-type]
    handler = CallEventHandler(service, lambda p: tmp_path / p.lstrip("/"))
    _wav(tmp_path / "rec/good.wav", 20)
    _wav(tmp_path / "rec/gaps.wav", 3)
    _wav(tmp_path / "rec/short.wav", 3)
    _wav(tmp_path / "rec/empty.wav", 0)
    await _call(handler, "good", 20)
    await _call(handler, "gaps", 20)  # short, but the disk has room: phones silent, not a fault
    await _call(handler, "empty", 20)
    await _call(handler, "missing", 20)
    monkeypatch.setattr(handlers, "free_bytes", lambda _folder: 1000)  # the disk fills up
    await _call(handler, "short", 20)
    assert handler.failures == 3
    failed = {m["call_id"]: m for t, m in bus.sent if m["type"] == "RecordingFailed"}
    assert {k: v["reason"] for k, v in failed.items()} == {
        "short": "short", "empty": "empty", "missing": "missing",
    }  # fmt: skip
    assert failed["short"]["recorded_seconds"] == 3.0 and failed["short"]["expected_seconds"] == 20
    assert failed["missing"]["free_bytes"] > 1 << 20
    assert "Brak miejsca" not in failed["missing"]["detail"]
    assert failed["short"]["free_bytes"] == 1000 and "Brak miejsca" in failed["short"]["detail"]
    for call_id in ("short", "missing"):
        call = await service.get_call(call_id)
        assert call is not None and call["outcome"] == "answered"  # the call itself is whole
        assert "RecordingFailed" in [e["type"] for e in call["timeline"]]
    good = await service.get_call("good")
    assert good is not None and "RecordingFailed" not in [e["type"] for e in good["timeline"]]
    assert handler.last_failure is not None and handler.last_failure["call_id"] == "short"

    board = Wallboard()
    for message in failed.values():
        board.apply(message)
    shown = board.snapshot(at(60) + timedelta(seconds=1))["recordings"]
    assert shown["failed_today"] == 3 and shown["last_failure"]["detail"]
