"""The AMI session delivers events in order and survives a failing subscriber."""

from __future__ import annotations

import asyncio
from typing import Any

from panoramisk.message import Message

from cic.asterisk.ami import AmiSession
from cic.asterisk.tracker import Tracker
from cic.events import CallEntered, DomainEvent
from tests.integration.harness import free_port


def cic_call(call_id: str) -> Message:
    return Message(
        {
            "Event": "UserEvent",
            "UserEvent": "CicCall",
            "Channel": f"PJSIP/residents-{call_id}",
            "Uniqueid": call_id,
            "Linkedid": call_id,
            "CallerIDNum": "48500100200",
            "CallerIDName": "Jan Testowy",
            "CallId": call_id,
            "Dialled": "1000",
            "Timestamp": "1795887816.100000",
        }
    )


async def test_failing_sink_is_logged_and_the_loop_goes_on() -> None:
    seen: list[DomainEvent] = []

    async def broken(event: DomainEvent) -> None:
        raise RuntimeError("subscriber bug")

    async def good(event: DomainEvent) -> None:
        seen.append(event)

    session = AmiSession(
        host="127.0.0.1", port=free_port(), username="cic", secret="x",
        tracker=Tracker(), sinks=[broken, good], on_resync=[],
    )  # fmt: skip
    await session.start()  # nothing listens: it keeps retrying with back-off in the background
    try:
        for call_id in ("1.1", "1.2", "1.3"):
            session.manager.dispatch(cic_call(call_id))
        for _ in range(50):
            if len(seen) == 3:
                break
            await asyncio.sleep(0.02)
    finally:
        await session.stop()
    assert [e.call_id for e in seen if isinstance(e, CallEntered)] == ["1.1", "1.2", "1.3"]
    assert session.stats.sink_errors == 3
    assert "subscriber bug" in session.stats.last_error
    assert session.stats.events == 3 and not session.stats.connected


async def test_reconnect_backoff_grows_to_the_limit() -> None:
    session = AmiSession(
        host="127.0.0.1", port=free_port(), username="cic", secret="x",
        tracker=Tracker(), sinks=[], on_resync=[], first_backoff=0.01, max_backoff=0.04,
    )  # fmt: skip
    manager = session.manager
    waits: list[float] = []
    attempt = manager.connection_made

    def recorded(future: asyncio.Future[Any]) -> None:
        attempt(future)
        waits.append(manager.reconnect_timeout)

    manager.connection_made = recorded
    await session.start()  # nothing listens on the port: every attempt fails at once
    try:
        for _ in range(500):  # a bound, not a timing: the waits are 10-40 ms
            if len(waits) >= 4:
                break
            await asyncio.sleep(0.01)
    finally:
        await session.stop()
    assert waits[:4] == [0.02, 0.04, 0.04, 0.04]  # doubled after each failure, then capped
