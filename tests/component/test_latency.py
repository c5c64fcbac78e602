"""Duration samples, stage timing of routing decisions and the event-loop lag probe."""

from __future__ import annotations

import asyncio
import contextlib
import time

import pytest

from cic.asterisk.decisions import RouteRequest
from cic.config import OfficeSettings
from cic.latency import Samples, Stages, summary_ms
from cic.loop_lag import LoopLag
from cic.routing.calendar import OfficeCalendar
from cic.routing.service import RoutingService
from tests.component.test_case_owner_routing import FakeMatters
from tests.component.test_routing import MONDAY_10, FakeHistory, FakePresence


def test_summary_in_milliseconds() -> None:
    assert summary_ms([]) == {"n": 0}
    figures = summary_ms([i / 1000 for i in range(1, 101)])  # 1..100 ms
    assert figures == {"n": 100, "p50": 51.0, "p99": 100.0, "max": 100.0}
    samples = Samples(size=3)
    for value in (0.5, 0.001, 0.002, 0.003):
        samples.add(value)
    assert samples.values() == [0.001, 0.002, 0.003]  # the oldest went first


def test_stages_are_timed_also_when_they_fail() -> None:
    stages = Stages()
    with contextlib.suppress(RuntimeError), stages.timed("history"):
        raise RuntimeError("store down")
    stages.add("menu", 0.004)
    summary = stages.summary()
    assert list(summary) == ["history", "menu"]
    assert summary["history"]["n"] == 1 and summary["menu"]["p50"] == 4.0


async def test_a_routing_decision_records_each_stage() -> None:
    office = OfficeSettings()
    history = FakeHistory({"+48600100200": "PJSIP/agent-anna"})
    stages = Stages()
    service = RoutingService(
        office, OfficeCalendar(office), history, FakePresence({"PJSIP/agent-anna"}),
        lambda: MONDAY_10, matters=FakeMatters([]), stages=stages,
    )  # fmt: skip
    decision = await service.decide(RouteRequest("c1", "+48600100200", "", "1000", "PJSIP/t"))
    assert decision.action == "agent"
    assert {k: v["n"] for k, v in stages.summary().items()} == {
        "calendar": 1, "case_owners": 1, "history": 1, "presence": 1,
    }  # fmt: skip
    # A withheld number stops after the calendar: no lookups are timed.
    await service.decide(RouteRequest("c2", "anonymous", "", "1000", "PJSIP/t"))
    assert stages.summary()["calendar"]["n"] == 2 and stages.summary()["history"]["n"] == 1


async def test_loop_lag_sees_a_blocked_event_loop() -> None:
    lag = LoopLag(interval=0.01)
    probe = asyncio.create_task(lag.run())
    await asyncio.sleep(0.05)
    time.sleep(0.3)  # what a synchronous database call on the loop does to everyone else
    await asyncio.sleep(0.05)
    probe.cancel()
    with pytest.raises(asyncio.CancelledError):
        await probe
    figures = lag.summary()
    assert figures["n"] >= 3
    assert figures["max"] >= 250  # the blocked 300 ms show up as one late wake-up
