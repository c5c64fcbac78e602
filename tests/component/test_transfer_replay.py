"""Recorded Asterisk transfers replayed through the tracker into the transfers service.

The console's commands are issued at the moment they were issued when the fixture was
recorded (after the answer; cancel/complete after the colleague answered), against the
tracker's live view; the rest of the recorded AMI events then confirm or end the transfer.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from cic import events as ev
from cic.asterisk.tracker import Tracker
from cic.bus import InProcessBus
from cic.db import Store
from cic.transfers.service import TransferService
from tests.component.test_transfer_service import FakePbx
from tests.unit.test_tracker import load, step

Command = Callable[[TransferService, str], Awaitable[Any]]


async def consult_bob(service: TransferService, call_id: str) -> Any:
    return await service.start(call_id, "consult", {"agent": "bob"}, "notatka")


async def blind_finanse(service: TransferService, call_id: str) -> Any:
    return await service.start(call_id, "blind", {"queue": "finanse"}, "notatka")


async def cancel(service: TransferService, call_id: str) -> Any:
    return await service.cancel(call_id)


async def complete(service: TransferService, call_id: str) -> Any:
    return await service.complete(call_id)


class Replay:
    """Tracker + service; AMI events go through the tracker into the service's sink."""

    def __init__(self, store: Store) -> None:
        self.tracker = Tracker()
        self.pbx = FakePbx()
        self.bus = InProcessBus()
        agents = {"ala": "PJSIP/agent-ala", "bob": "PJSIP/agent-bob"}

        async def queue_exists(name: str) -> bool:
            return name == "finanse"

        self.service = TransferService(
            store, self.bus, self.pbx, self.tracker.call, agents.get, queue_exists
        )
        self.call_id = ""

    async def run(self, name: str, commands: dict[type, Command]) -> dict[str, Any]:
        """Feed the fixture; after the first event of each type in ``commands``, run it."""
        pending = dict(commands)
        for item in load(name)["events"]:
            for event in step(self.tracker, item):
                self.call_id = getattr(event, "call_id", "") or self.call_id
                await self.service.on_event(event)
                command = pending.pop(type(event), None)
                if command is not None:
                    await command(self.service, self.call_id)
        [*_, last] = await self.service.for_call(self.call_id)
        return last


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[Replay]:
    store = Store(f"sqlite:///{tmp_path / 'cic.db'}")
    store.migrate()
    replay = Replay(store)
    yield replay
    await replay.bus.close()
    await store.close()


async def test_consult_and_return(world: Replay) -> None:
    last = await world.run(
        "transfer_consult_return", {ev.CallAnswered: consult_bob, ev.ConsultAnswered: cancel}
    )
    assert last["state"] == "returned"
    steps = [leg["step"] for leg in last["legs"]]
    assert steps[:4] == ["requested", "ConsultRinging", "ConsultAnswered", "returned"]
    assert "ConsultEnded" in steps
    assert world.pbx.sent[-1][0] == "CancelAtxfer"
    assert world.pbx.sent[-1][1].startswith("PJSIP/agent-ala-")


async def test_attended_complete_confirmed_by_asterisk(world: Replay) -> None:
    last = await world.run(
        "transfer_attended_complete", {ev.CallAnswered: consult_bob, ev.ConsultAnswered: complete}
    )
    assert last["state"] == "completed"
    steps = [leg["step"] for leg in last["legs"]]
    assert steps.index("completing") < steps.index("CallTransferred") < steps.index("completed")
    assert world.pbx.sent[-1][0] == "Hangup"


async def test_cancelled_while_ringing(world: Replay) -> None:
    last = await world.run(
        "transfer_attended_cancel", {ev.CallAnswered: consult_bob, ev.ConsultRinging: cancel}
    )
    assert last["state"] == "cancelled"


async def test_colleague_does_not_answer(world: Replay) -> None:
    last = await world.run("transfer_consult_no_answer", {ev.CallAnswered: consult_bob})
    assert last["state"] == "failed" and last["reason"] == "no_answer"


async def test_blind_to_queue_done(world: Replay) -> None:
    last = await world.run("transfer_blind_to_queue", {ev.CallAnswered: blind_finanse})
    assert last["state"] == "done"
    action, channel, *where = world.pbx.sent[-1]
    assert (action, where) == ("BlindTransfer", ["cic-blind", "q-finanse"])
    assert channel.startswith("PJSIP/agent-ala-")


async def test_resident_hangs_up_during_consult(world: Replay) -> None:
    last = await world.run("transfer_resident_hangs_up_in_consult", {ev.CallAnswered: consult_bob})
    assert last["state"] == "ended" and last["reason"] == "resident_hangup"


async def test_agent_hangs_up_while_the_colleague_rings(world: Replay) -> None:
    last = await world.run("transfer_agent_hangs_up_in_consult", {ev.CallAnswered: consult_bob})
    assert last["state"] == "completed"
    steps = [leg["step"] for leg in last["legs"]]
    assert steps.index("CallTransferred") < steps.index("completed")
