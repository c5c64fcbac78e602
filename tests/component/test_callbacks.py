"""Callback requests against a real SQLite store with a recording fake placer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cic.bus import InProcessBus
from cic.callbacks.errors import CallbackConflict, InvalidNumber
from cic.callbacks.numbers import national_number, spoken_groups
from cic.callbacks.service import Callback, CallbackService
from cic.config import CallbackSettings
from cic.db import Store

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


class FakePlacer:
    """Records placements; ``up`` holds the placeholder ids Asterisk would still have."""

    def __init__(self) -> None:
        self.placed: list[tuple[int, int, int]] = []
        self.up: set[str] = set()
        self.fail = False

    async def place(self, callback: Callback) -> None:
        if self.fail:
            raise ConnectionError("AMI is not connected")
        self.placed.append((callback.id, callback.attempts + 1, callback.position))
        self.up.add(callback.placeholder_id)

    async def alive(self, placeholder_id: str) -> bool:
        return placeholder_id in self.up

    async def withdraw(self, placeholder_id: str) -> None:
        self.up.discard(placeholder_id)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def parts(tmp_path: Path) -> tuple[CallbackService, FakePlacer, Clock]:
    store = Store(f"sqlite:///{tmp_path / 'cic.db'}")
    store.migrate()
    placer, clock = FakePlacer(), Clock()
    settings = CallbackSettings(attempts=2, retry_seconds=60)
    return CallbackService(store, InProcessBus(), placer, settings, clock=clock), placer, clock


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("48500100301", "500100301"),
        ("+48 500-100-301", "500100301"),
        ("0048500100301", "500100301"),
        ("0822000001", "822000001"),
        ("500100301", "500100301"),
        ("701000000", None),  # premium rate
        ("800100100", None),
        ("12345", None),
        ("", None),
        ("50010030१", None),  # a non-ASCII digit
        ("500100301; rm -rf /", None),
        ("0500100301x", None),
    ],
)
def test_national_numbers(raw: str, expected: str | None) -> None:
    assert national_number(raw) == expected


def test_spoken_groups() -> None:
    assert spoken_groups("500100301") == "500 100 301"


async def test_register_places_one_placeholder_and_never_duplicates(
    parts: tuple[CallbackService, FakePlacer, Clock],
) -> None:
    service, placer, _ = parts
    first = await service.register("call-1", "48500100301", "pierwsza-linia", 3,
                                   caller="48500100301")  # fmt: skip
    again = await service.register("call-1", "500100301", "pierwsza-linia", 3)
    assert again.id == first.id
    assert placer.placed == [(first.id, 1, 3)]
    assert first.status == "waiting" and first.number == "500100301"
    assert first.shown_number == "48500100301"
    other = await service.register("call-2", "600200300", "pierwsza-linia", 1,
                                   caller='"x" <sip:1@x>')  # fmt: skip
    assert other.shown_number == "600200300"


async def test_bad_numbers_and_pbx_failures_leave_no_request(
    parts: tuple[CallbackService, FakePlacer, Clock],
) -> None:
    service, placer, _ = parts
    with pytest.raises(InvalidNumber):
        await service.register("call-1", "700100100", "pierwsza-linia", 1)
    placer.fail = True
    with pytest.raises(ConnectionError):
        await service.register("call-1", "500100301", "pierwsza-linia", 1)
    assert await service.requests() == []


async def test_answered_callback_is_done(parts: tuple[CallbackService, FakePlacer, Clock]) -> None:
    service, _, _ = parts
    cb = await service.register("call-1", "500100301", "pierwsza-linia", 1)
    dialing = await service.progress(cb.id, 1, "DIALING", "PJSIP/agent-anna")
    assert dialing.status == "dialing" and dialing.agent == "PJSIP/agent-anna"
    done = await service.progress(cb.id, 1, "ANSWER", "")
    assert (done.status, done.attempts, done.last_result) == ("done", 1, "ANSWER")
    late = await service.progress(cb.id, 1, "NOANSWER", "")  # a stale duplicate report
    assert late.status == "done"


async def test_unanswered_callbacks_retry_then_fail_for_the_supervisor(
    parts: tuple[CallbackService, FakePlacer, Clock],
) -> None:
    service, placer, clock = parts
    cb = await service.register("call-1", "500100301", "pierwsza-linia", 4)
    retry = await service.progress(cb.id, 1, "NOANSWER", "PJSIP/agent-anna")
    assert retry.status == "retry" and retry.next_attempt_at == T0 + timedelta(seconds=60)
    assert await service.tick() == []
    clock.now = T0 + timedelta(seconds=61)
    placed = await service.tick()
    assert [c.id for c in placed] == [cb.id]
    assert placer.placed[-1] == (cb.id, 2, 1)  # the retry goes to the front of the queue
    assert await service.tick() == []  # no second placeholder for the same attempt
    failed = await service.progress(cb.id, 2, "BUSY", "")
    assert failed.status == "failed" and failed.attempts == 2
    assert [c.id for c in await service.requests("failed")] == [cb.id]
    again = await service.retry_now(cb.id, "kierownik")
    assert again.status == "waiting" and placer.placed[-1] == (cb.id, 2, 1)
    assert again.placeholder_id in placer.up
    closed = await service.close(cb.id, "kierownik")
    assert closed.status == "cancelled" and closed.closed_by == "kierownik"
    assert again.placeholder_id not in placer.up  # it left the queue
    with pytest.raises(CallbackConflict):
        await service.close(cb.id, "kierownik")


async def test_after_asterisk_restart_lost_placeholders_are_placed_again(
    parts: tuple[CallbackService, FakePlacer, Clock],
) -> None:
    service, placer, _ = parts
    waiting = await service.register("call-1", "500100301", "pierwsza-linia", 2)
    ringing = await service.register("call-2", "600200300", "pierwsza-linia", 3)
    await service.progress(ringing.id, 1, "DIALING", "PJSIP/agent-anna")
    placer.up.clear()  # Asterisk restarted: every channel is gone
    await service.on_resync(frozenset(), T0)
    assert placer.placed[-1] == (waiting.id, 1, 2)
    lost = await service.get(ringing.id)
    assert lost.status == "retry" and lost.last_result == "LOST" and lost.attempts == 1
    placer.placed.clear()
    await service.on_resync(frozenset(), T0)  # the new placeholder is up: nothing to do
    assert placer.placed == []
