"""First-line capacity against a real SQLite store, the real agents service and a fake PBX."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from cic.agents.service import AgentService
from cic.bus import InProcessBus
from cic.config import OverflowSettings
from cic.db import Store
from cic.events import AgentDeviceChanged
from cic.overflow.errors import NotEligible
from cic.overflow.policy import Load, Step
from cic.overflow.service import FirstLineCapacity

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
FIRST = "pierwsza-linia"
SETTINGS = OverflowSettings(
    add_when_waiting=2, add_when_longest_wait=30, remove_when_waiting=0,
    remove_when_longest_wait=5, calm_seconds=60, step_seconds=10, penalty=7,
)  # fmt: skip


class FakePbx:
    """Records the AMI operations asked of it."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    async def queue_add(
        self, queue: str, interface: str, member_name: str, penalty: int = 0
    ) -> None:
        self.calls.append(("add", queue, interface, penalty))

    async def queue_remove(self, queue: str, interface: str) -> None:
        self.calls.append(("remove", queue, interface))

    async def queue_pause(self, interface: str, paused: bool, reason: str = "") -> None:
        self.calls.append(("pause", interface, paused))


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now

    def tick(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
async def world(tmp_path: Path) -> tuple[FirstLineCapacity, FakePbx, Clock]:
    store = Store(f"sqlite:///{tmp_path / 'cic.db'}")
    store.migrate()
    clock, pbx, bus = Clock(), FakePbx(), InProcessBus()
    agents = AgentService(store, bus, pbx, wrapup_seconds=30, clock=clock)
    await agents.ensure_queue(FIRST, "Pierwsza linia")
    await agents.ensure_queue("finanse", "Finanse i podatki")
    await agents.create_agent("anna", "Anna Testowa", queues=[FIRST])
    for name in ("piotr", "zofia", "jan"):
        await agents.create_agent(name, name.title(), queues=["finanse"])
        await agents.login(name)
        await agents.on_event(AgentDeviceChanged(T0, f"PJSIP/agent-{name}", "NOT_INUSE"))
    capacity = FirstLineCapacity(store, bus, pbx, agents, SETTINGS, FIRST, clock=clock)
    await capacity.set_reserve("piotr", True, None, actor="kierownik")
    await capacity.set_reserve("zofia", True, 3, actor="kierownik")
    pbx.calls.clear()
    return capacity, pbx, clock


async def test_overload_borrows_reserve_one_by_one_and_calm_gives_them_back(
    world: tuple[FirstLineCapacity, FakePbx, Clock],
) -> None:
    capacity, pbx, clock = world
    assert await capacity.check(Load(2, 10)) is Step.ADD
    clock.tick(5)
    assert await capacity.check(Load(3, 40)) is Step.HOLD
    clock.tick(5)
    assert await capacity.check(Load(3, 45)) is Step.ADD
    clock.tick(10)
    assert await capacity.check(Load(3, 55)) is Step.HOLD  # nobody left in the reserve
    assert pbx.calls == [
        ("add", FIRST, "PJSIP/agent-piotr", 7),
        ("add", FIRST, "PJSIP/agent-zofia", 3),
    ]
    assert [e.username for e in capacity.borrowed()] == ["piotr", "zofia"]
    pbx.calls.clear()
    for _ in range(6):
        clock.tick(10)
        await capacity.check(Load(0, 0))
    clock.tick(10)
    await capacity.check(Load(0, 0))
    clock.tick(10)
    await capacity.check(Load(0, 0))
    assert pbx.calls == [
        ("remove", FIRST, "PJSIP/agent-zofia"),
        ("remove", FIRST, "PJSIP/agent-piotr"),
    ]
    assert capacity.borrowed() == []


async def test_paused_offline_and_non_reserve_agents_are_not_borrowed(
    world: tuple[FirstLineCapacity, FakePbx, Clock],
) -> None:
    capacity, pbx, _ = world
    await capacity.agents.pause("piotr", "przerwa")
    await capacity.agents.logout("zofia")
    pbx.calls.clear()
    assert capacity.candidates() == []
    assert await capacity.check(Load(9, 300)) is Step.HOLD
    assert pbx.calls == []


async def test_a_supervisor_adds_by_hand_and_auto_never_removes_them(
    world: tuple[FirstLineCapacity, FakePbx, Clock],
) -> None:
    capacity, pbx, clock = world
    entry = await capacity.add("jan", actor="kierownik")
    assert entry.in_first_line and not entry.reserve and entry.added_by == "kierownik"
    with pytest.raises(NotEligible):
        await capacity.add("jan", actor="kierownik")
    with pytest.raises(NotEligible):
        await capacity.add("anna", actor="kierownik")  # already a first-line member
    for _ in range(20):
        clock.tick(10)
        await capacity.check(Load(0, 0))
    assert [e.username for e in capacity.borrowed()] == ["jan"]
    await capacity.remove("jan", actor="kierownik")
    assert capacity.entries()[0].username != "jan" or not capacity.entries()[0].in_first_line
    assert pbx.calls[-1] == ("remove", FIRST, "PJSIP/agent-jan")
    with pytest.raises(NotEligible):
        await capacity.remove("jan", actor="kierownik")


async def test_borrowed_agents_survive_a_restart_and_are_put_back_after_resync(
    world: tuple[FirstLineCapacity, FakePbx, Clock],
) -> None:
    capacity, _, clock = world
    await capacity.check(Load(5, 100))
    again_pbx = FakePbx()
    again = FirstLineCapacity(
        capacity.store, InProcessBus(), again_pbx, capacity.agents, SETTINGS, FIRST, clock=clock
    )
    await again.load()
    assert [e.username for e in again.borrowed()] == ["piotr"]
    assert {e.username for e in again.entries()} == {"piotr", "zofia"}
    await again.on_resync(frozenset(), T0)
    assert again_pbx.calls == [("add", FIRST, "PJSIP/agent-piotr", 7)]


async def test_a_borrowed_agent_who_logs_out_is_given_back(
    world: tuple[FirstLineCapacity, FakePbx, Clock],
) -> None:
    capacity, pbx, _ = world
    await capacity.check(Load(5, 100))
    await capacity.on_presence({"type": "AgentPresence", "username": "piotr", "state": "offline"})
    assert capacity.borrowed() == []
    assert pbx.calls[-1] == ("remove", FIRST, "PJSIP/agent-piotr")
    await capacity.on_presence({"type": "AgentPresence", "username": "zofia", "state": "paused"})
    assert pbx.calls[-1] == ("remove", FIRST, "PJSIP/agent-piotr")


async def test_reserve_rejects_a_bad_penalty_and_unknown_agents(
    world: tuple[FirstLineCapacity, FakePbx, Clock],
) -> None:
    capacity, _, _ = world
    with pytest.raises(NotEligible):
        await capacity.set_reserve("jan", True, 500, actor="kierownik")
    from cic.agents.errors import AgentNotFound

    with pytest.raises(AgentNotFound):
        await capacity.set_reserve("nikt", True, None, actor="kierownik")
    await capacity.set_reserve("zofia", False, None, actor="kierownik")
    assert [e.username for e in capacity.entries()] == ["piotr"]
