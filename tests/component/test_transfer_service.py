"""The transfers service with a fake PBX on SQLite and PostgreSQL: commands, lock, events."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError

from cic import events as ev
from cic.asterisk.tracker_state import CallSnapshot
from cic.bus import InProcessBus
from cic.db import Store
from cic.transfers.errors import (
    CallNotLive,
    InvalidTransfer,
    NobodyFree,
    NoOpenTransfer,
    NotYourCall,
    PbxRefused,
    TransferInProgress,
    TransferStateError,
)
from cic.transfers.service import TransferService

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
ANNA, BOB = "PJSIP/agent-anna", "PJSIP/agent-bob"
CHAN = "PJSIP/agent-anna-0000000a"
LIVE = CallSnapshot(
    call_id="c1", caller_number="48500100200", caller_name="Jan Testowy", dialled="1000",
    state="answered", queue="pierwsza-linia", agent=ANNA, entered_at=T0, queued_at=T0,
    answered_at=T0, channel="PJSIP/residents-00000001", agent_channel=CHAN,
)  # fmt: skip


class FakePbx:
    """Records AMI actions; ``fail`` makes the next action raise; ``gate`` holds Atxfer."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, ...]] = []
        self.fail = False
        self.gate: asyncio.Event | None = None

    async def _do(self, *action: str) -> None:
        if self.fail:
            raise RuntimeError("Atxfer: No active channel")
        self.sent.append(action)

    async def set_var(self, channel: str, name: str, value: str) -> None:
        await self._do("Setvar", channel, name, value)

    async def atxfer(self, channel: str, context: str, exten: str) -> None:
        if self.gate is not None:
            await self.gate.wait()
        await self._do("Atxfer", channel, context, exten)

    async def cancel_atxfer(self, channel: str) -> None:
        await self._do("CancelAtxfer", channel)

    async def blind_transfer(self, channel: str, context: str, exten: str) -> None:
        await self._do("BlindTransfer", channel, context, exten)

    async def hangup(self, channel: str) -> None:
        await self._do("Hangup", channel)


class World:
    """The service and its fakes."""

    def __init__(self, store: Store) -> None:
        self.pbx = FakePbx()
        self.bus = InProcessBus()
        self.calls: dict[str, CallSnapshot] = {"c1": LIVE}
        agents = {"anna": ANNA, "bob": BOB}

        async def queue_exists(name: str) -> bool:
            return name in ("finanse", "pierwsza-linia")

        self.service = TransferService(
            store, self.bus, self.pbx, self.calls.get, agents.get, queue_exists,
            ring_seconds=12, clock=lambda: T0,
        )  # fmt: skip

    async def consult(self, **kw: Any) -> dict[str, Any]:
        args: dict[str, Any] = {"requester": ANNA, "requested_by": "anna"} | kw
        return await self.service.start("c1", "consult", {"agent": "bob"}, "PESEL? nie", **args)

    async def feed(self, *events: ev.DomainEvent) -> None:
        for event in events:
            await self.service.on_event(event)

    async def state(self) -> str:
        [*_, last] = await self.service.for_call("c1")
        return str(last["state"])


@pytest.fixture
async def world(db_url: str) -> AsyncIterator[World]:
    store = Store(db_url)
    store.migrate()
    w = World(store)
    yield w
    await w.bus.close()
    await store.close()


async def test_consult_sets_variables_then_atxfer_and_offers_context(world: World) -> None:
    async with world.bus.subscribe("agent") as sub:
        transfer = await world.consult(matter="FN.3110.12.2026", article="wycinka-drzew")
        _topic, offered = await asyncio.wait_for(anext(aiter(sub)), 2)
    assert transfer["state"] == "consulting" and transfer["from_agent"] == ANNA
    tid = str(transfer["id"])
    assert world.pbx.sent == [
        ("Setvar", CHAN, "__CIC_XFER_ID", tid),
        ("Setvar", CHAN, "__CIC_XFER_DEST", BOB),
        ("Setvar", CHAN, "__CIC_XFER_RING", "12"),
        ("Atxfer", CHAN, "cic-consult", "1"),
    ]
    assert offered["type"] == "TransferOffered" and offered["to_agent"] == BOB
    assert offered["note"] == "PESEL? nie" and offered["caller_name"] == "Jan Testowy"
    assert offered["caller_number"] == "48500100200" and offered["matter"] == "FN.3110.12.2026"
    assert offered["article"] == transfer["article"] == "wycinka-drzew"


async def test_second_transfer_of_the_call_is_409_until_the_first_ends(world: World) -> None:
    await world.consult()
    with pytest.raises(TransferInProgress) as info:
        await world.service.start("c1", "blind", {"queue": "finanse"}, requester=ANNA)
    assert info.value.status == 409 and "już przekazywane" in info.value.message
    await world.service.cancel("c1", ANNA)
    assert await world.state() == "cancelled"
    again = await world.service.start("c1", "blind", {"queue": "finanse"}, requester=ANNA)
    assert again["state"] == "blind"


async def test_double_click_gets_409_without_waiting(world: World) -> None:
    world.pbx.gate = asyncio.Event()
    first = asyncio.create_task(world.consult())
    await asyncio.sleep(0.05)
    while not world.pbx.sent:  # the first request holds the call's lock, waiting in Atxfer
        await asyncio.sleep(0.01)
    with pytest.raises(TransferInProgress):
        await world.consult()
    world.pbx.gate.set()
    assert (await first)["state"] == "consulting"
    assert [a[0] for a in world.pbx.sent].count("Atxfer") == 1


async def test_consult_return_after_the_colleague_answered(world: World) -> None:
    await world.consult()
    await world.feed(
        ev.ConsultRinging(T0, "c1", ANNA, BOB, "PJSIP/agent-bob-0000000b"),
        ev.ConsultAnswered(T0, "c1", ANNA, BOB),
    )
    returned = await world.service.cancel("c1", ANNA)
    assert returned["state"] == "returned"
    assert world.pbx.sent[-1] == ("CancelAtxfer", CHAN)
    await world.feed(ev.ConsultEnded(T0, "c1", ANNA, BOB, True))  # Asterisk confirms: a leg
    [transfer] = await world.service.for_call("c1")
    assert transfer["state"] == "returned"
    steps = [leg["step"] for leg in transfer["legs"]]
    assert steps == ["requested", "ConsultRinging", "ConsultAnswered", "returned", "ConsultEnded"]
    with pytest.raises(NoOpenTransfer):
        await world.service.cancel("c1", ANNA)


async def test_complete_hangs_up_the_agent_and_asterisk_confirms(world: World) -> None:
    await world.consult()
    await world.feed(ev.ConsultAnswered(T0, "c1", ANNA, BOB))
    completing = await world.service.complete("c1", ANNA)
    assert completing["state"] == "completing"
    assert world.pbx.sent[-1] == ("Hangup", CHAN)
    with pytest.raises(TransferStateError):
        await world.service.complete("c1", ANNA)
    await world.feed(ev.CallTransferred(T0, "c1", "attended", ANNA, BOB, BOB))
    assert await world.state() == "completed"


async def test_agent_hangs_up_during_consult_completes(world: World) -> None:
    await world.consult()
    await world.feed(
        ev.ConsultAnswered(T0, "c1", ANNA, BOB),
        ev.CallTransferred(T0, "c1", "attended", ANNA, BOB, BOB),
    )
    assert await world.state() == "completed"


async def test_colleague_does_not_answer_fails_back_to_agent(world: World) -> None:
    await world.consult()
    await world.feed(ev.ConsultFailed(T0, "c1", ANNA, BOB, "no_answer"))
    [transfer] = await world.service.for_call("c1")
    assert transfer["state"] == "failed" and transfer["reason"] == "no_answer"
    again = await world.consult()  # the lock is free again
    assert again["state"] == "consulting"


async def test_resident_hangs_up_during_consult_ends_it(world: World) -> None:
    await world.consult()
    await world.feed(ev.CallEnded(T0, "c1", "Normal Clearing", 30.0))
    [transfer] = await world.service.for_call("c1")
    assert transfer["state"] == "ended" and transfer["reason"] == "resident_hangup"


async def test_blind_to_queue_and_to_person(world: World) -> None:
    done = await world.service.start("c1", "blind", {"queue": "finanse"}, "nota", requester=None)
    assert world.pbx.sent[-1] == ("BlindTransfer", CHAN, "cic-blind", "q-finanse")
    await world.feed(ev.CallTransferred(T0, "c1", "blind", ANNA, "", "cic-blind/q-finanse"))
    assert await world.state() == "done"
    assert done["target"] == {"queue": "finanse"}
    await world.service.start("c1", "blind", {"agent": "bob"}, requester=ANNA)
    assert world.pbx.sent[-1] == ("BlindTransfer", CHAN, "cic-blind", "a-bob")


async def test_pbx_refusal_fails_the_transfer_and_frees_the_call(world: World) -> None:
    world.pbx.fail = True
    with pytest.raises(PbxRefused) as info:
        await world.consult()
    assert info.value.status == 502
    assert await world.state() == "failed"
    world.pbx.fail = False
    assert (await world.consult())["state"] == "consulting"


@pytest.mark.parametrize(
    ("kind", "target", "error"),
    [
        ("transfer", {"agent": "bob"}, InvalidTransfer),
        ("consult", {"queue": "nie-ma"}, InvalidTransfer),
        ("consult", {"agent": "zenon"}, InvalidTransfer),
        ("consult", {"agent": "anna"}, InvalidTransfer),
        ("blind", {"queue": "nie-ma"}, InvalidTransfer),
        ("blind", {"queue": "a b;Hangup"}, InvalidTransfer),
        ("blind", {"agent": "bob", "queue": "finanse"}, InvalidTransfer),
        ("blind", "bob", InvalidTransfer),
    ],
)
async def test_bad_requests_are_400(world: World, kind: str, target: Any, error: type) -> None:
    with pytest.raises(error) as info:
        await world.service.start("c1", kind, target, requester=ANNA)
    assert info.value.status == 400
    assert world.pbx.sent == []


async def test_consult_with_a_department_queue_asks_whoever_is_free(world: World) -> None:
    with pytest.raises(NobodyFree) as info:  # nobody free (the default)
        await world.service.start("c1", "consult", {"queue": "finanse"}, requester=ANNA)
    assert info.value.status == 409 and world.pbx.sent == []
    asked: list[tuple[str, str]] = []

    def free_member(queue: str, exclude: str) -> str | None:
        asked.append((queue, exclude))
        return BOB if queue == "finanse" else None

    world.service.free_member = free_member
    transfer = await world.service.start("c1", "consult", {"queue": "finanse"}, requester=ANNA)
    assert asked == [("finanse", ANNA)]
    assert transfer["target"] == {"queue": "finanse"}
    assert transfer["target_interface"] == BOB
    assert ("Setvar", CHAN, "__CIC_XFER_DEST", BOB) in world.pbx.sent
    assert world.pbx.sent[-1] == ("Atxfer", CHAN, "cic-consult", "1")


async def test_only_the_agent_on_the_call_or_a_supervisor(world: World) -> None:
    with pytest.raises(NotYourCall):
        await world.service.start("c1", "consult", {"agent": "bob"}, requester=BOB)
    world.calls["c2"] = replace(LIVE, call_id="c2", state="queued", agent_channel="")
    with pytest.raises(CallNotLive):
        await world.service.start("c2", "consult", {"agent": "bob"}, requester=None)
    with pytest.raises(CallNotLive):
        await world.service.start("nope", "consult", {"agent": "bob"}, requester=None)
    await world.consult()
    with pytest.raises(NotYourCall):
        await world.service.complete("c1", BOB)


async def test_asterisk_event_waits_for_the_command_on_the_same_call(world: World) -> None:
    """CancelAtxfer's confirmation can arrive before its AMI reply: the command still wins."""
    await world.consult()
    await world.feed(ev.ConsultAnswered(T0, "c1", ANNA, BOB))
    world.pbx.gate = asyncio.Event()
    original = world.pbx.cancel_atxfer

    async def slow_cancel(channel: str) -> None:
        assert world.pbx.gate is not None
        await world.pbx.gate.wait()
        await original(channel)

    world.pbx.cancel_atxfer = slow_cancel  # type: ignore[method-assign]
    command = asyncio.create_task(world.service.cancel("c1", ANNA))
    await asyncio.sleep(0.05)
    event = asyncio.create_task(world.feed(ev.ConsultEnded(T0, "c1", ANNA, BOB, True)))
    await asyncio.sleep(0.05)
    assert not event.done()  # waits for the command
    world.pbx.gate.set()
    assert (await command)["state"] == "returned"
    await event
    assert await world.state() == "returned"


async def test_colleague_hangs_up_after_talking_returns_the_agent(world: World) -> None:
    await world.consult()
    await world.feed(
        ev.ConsultAnswered(T0, "c1", ANNA, BOB), ev.ConsultEnded(T0, "c1", ANNA, BOB, True)
    )
    assert await world.state() == "returned"


async def test_two_controllers_share_the_store_lock(world: World) -> None:
    """Another controller process (its own asyncio locks) is refused by the store."""
    other = World(world.service.store)
    await world.consult()
    with pytest.raises(TransferInProgress):
        await other.consult()
    assert [a[0] for a in other.pbx.sent] == []
    await other.bus.close()


async def test_unique_active_call_id_is_the_last_guard(world: World) -> None:
    """Even if the open-transfer check is passed by a race, the unique column refuses."""
    from cic.transfers import store as db

    fields = {"call_id": "c1", "kind": "consult", "state": "consulting", "target_kind": "agent",
              "target": "bob"}  # fmt: skip
    await world.service.store.run(lambda s: db.open_transfer(s, fields, T0))

    def sneak(session: Any) -> None:
        from cic.transfers.models import Transfer

        session.add(Transfer(**fields, active_call_id="c1", created_at=T0, updated_at=T0))
        session.flush()

    with pytest.raises(IntegrityError):
        await world.service.store.run(sneak)


class DownStore(Store):
    """A store whose database is unreachable (every read raises)."""

    async def run(self, fn: Any) -> Any:
        raise ConnectionError("database down")


async def test_no_lock_is_kept_for_a_call_that_ended_during_an_outage() -> None:
    service = TransferService(
        DownStore("sqlite://"), InProcessBus(), FakePbx(), lambda _c: None,
        lambda _a: None, lambda _q: asyncio.sleep(0, False),
    )  # fmt: skip
    for n in range(50):
        with pytest.raises(ConnectionError):
            await service.on_event(ev.CallEnded(T0, f"c{n}", "Normal Clearing", 1.0))
    assert service._locks == {}
