"""The task supervisor: failing loops restart with back-off, finished ones stay finished, stop
ends everything. Sleeping and the clock are injected: nothing here waits for real."""

from __future__ import annotations

import asyncio

import pytest

from cic.supervisor import Supervisor


class FakeTime:
    """A monotonic clock that advances only when the supervisor sleeps (or a loop says so)."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


def _supervisor(clock: FakeTime) -> Supervisor:
    return Supervisor(first_delay=1.0, max_delay=8.0, sleep=clock.sleep, monotonic=clock.monotonic)


async def test_a_failing_loop_is_restarted_with_a_doubling_delay_up_to_the_maximum() -> None:
    clock = FakeTime()
    supervisor = _supervisor(clock)
    runs = 0

    async def flaky() -> None:
        nonlocal runs
        runs += 1
        if runs <= 6:
            raise ConnectionError(f"awaria {runs}\nsecond line")

    supervisor.start("cic-flaky", flaky)
    await supervisor.task("cic-flaky")
    assert runs == 7
    assert clock.slept == [1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    [state] = supervisor.states()
    assert state.status == "finished" and state.failures == 6
    assert state.last_error == "awaria 6" and state.last_failure_at is not None
    assert state.as_dict()["status"] == "finished"


async def test_the_delay_starts_again_after_a_long_good_run() -> None:
    clock = FakeTime()
    supervisor = _supervisor(clock)
    runs = 0

    async def sometimes() -> None:
        nonlocal runs
        runs += 1
        if runs == 4:
            clock.now += 100.0  # ran well for longer than the longest back-off
        if runs <= 5:
            raise RuntimeError("")

    supervisor.start("cic-sometimes", sometimes)
    await supervisor.task("cic-sometimes")
    assert clock.slept == [1.0, 2.0, 4.0, 1.0, 2.0]
    assert supervisor.states()[0].last_error == "RuntimeError"


async def test_stop_cancels_running_loops_and_keeps_finished_ones_finished() -> None:
    supervisor = Supervisor()
    started = asyncio.Event()

    async def forever() -> None:
        started.set()
        await asyncio.Event().wait()

    async def once() -> None:
        return None

    supervisor.start("cic-forever", forever)
    supervisor.start("cic-once", once)
    await started.wait()
    await asyncio.sleep(0)
    await supervisor.stop()
    assert {s.name: s.status for s in supervisor.states()} == {
        "cic-forever": "stopped",
        "cic-once": "finished",
    }


async def test_a_name_is_supervised_once() -> None:
    supervisor = Supervisor()

    async def idle() -> None:
        await asyncio.Event().wait()

    supervisor.start("cic-idle", idle)
    with pytest.raises(ValueError, match="cic-idle"):
        supervisor.start("cic-idle", idle)
    await supervisor.stop()


async def test_cancelling_a_loop_is_not_a_failure() -> None:
    supervisor = Supervisor()

    async def idle() -> None:
        await asyncio.Event().wait()

    supervisor.start("cic-idle", idle)
    await asyncio.sleep(0)
    supervisor.task("cic-idle").cancel()
    with pytest.raises(asyncio.CancelledError):
        await supervisor.task("cic-idle")
    assert supervisor.states()[0].failures == 0


async def test_stop_can_end_some_loops_and_leave_the_others_running() -> None:
    supervisor = Supervisor()

    async def idle() -> None:
        await asyncio.Event().wait()

    supervisor.start("cic-a", idle)
    supervisor.start("cic-b", idle)
    await asyncio.sleep(0)
    await supervisor.stop(["cic-a", "cic-unknown"])
    assert supervisor.task("cic-b").done() is False
    assert {s.name: s.status for s in supervisor.states()} == {
        "cic-a": "stopped",
        "cic-b": "running",
    }
    await supervisor.stop()
    assert supervisor.states()[1].status == "stopped"


async def test_a_context_starts_its_loops_and_stops_only_those() -> None:
    supervisor = Supervisor()

    async def idle() -> None:
        await asyncio.Event().wait()

    supervisor.start("cic-other", idle)
    context = supervisor.context({"cic-mine": idle})(object())
    await anext(context)
    await asyncio.sleep(0)
    assert {s.name: s.status for s in supervisor.states()} == {
        "cic-other": "running",
        "cic-mine": "running",
    }
    with pytest.raises(StopAsyncIteration):
        await anext(context)
    assert {s.name: s.status for s in supervisor.states()} == {
        "cic-other": "running",
        "cic-mine": "stopped",
    }
    await supervisor.stop()
