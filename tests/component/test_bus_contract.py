"""The bus contract: InProcessBus and RedisBus pass the same tests.

Redis tests use database 7 and a per-test channel prefix; the outage test runs its own
redis-server on a free port and stops and restarts it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import shutil
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from cic.bus import Bus, InProcessBus, RedisBus, Subscription, make_bus

POLISH = "Zażółć gęślą jaźń"
BusFactory = Callable[..., Bus]


def unavailable(reason: str) -> None:
    """Skip, or fail under CI=true (as the conftest fixtures do)."""
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(params=["inprocess", "redis"])
async def new_bus(request: pytest.FixtureRequest) -> AsyncIterator[BusFactory]:
    """A factory of buses of one implementation; every bus made is closed afterwards."""
    made: list[Bus] = []
    prefix = f"cic:test-{secrets.token_hex(4)}:"
    url = request.getfixturevalue("redis_url") if request.param == "redis" else ""

    def factory(**kwargs: Any) -> Bus:
        bus: Bus = RedisBus(url, prefix=prefix, **kwargs) if url else InProcessBus(**kwargs)
        made.append(bus)
        return bus

    yield factory
    for bus in made:
        await bus.close()


async def receive(sub: Subscription, timeout: float = 3.0) -> tuple[str, dict[str, Any]]:
    return await asyncio.wait_for(anext(sub), timeout)


async def until(check: Callable[[], bool], what: str, limit: float = 5.0) -> None:
    """Wait (polling) until ``check()`` holds; fail naming ``what`` after ``limit`` seconds."""
    deadline = time.monotonic() + limit
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {limit} s: {what}")
        await asyncio.sleep(0.01)


async def nothing(sub: Subscription, timeout: float = 0.3) -> bool:
    try:
        await asyncio.wait_for(anext(sub), timeout)
    except TimeoutError:
        return True
    return False


async def test_every_subscriber_gets_each_message(new_bus: BusFactory) -> None:
    bus = new_bus()
    async with bus.subscribe("call") as one, bus.subscribe("call") as two:
        await bus.publish("call", {"n": 1})
        assert await receive(one) == ("call", {"n": 1})
        assert await receive(two) == ("call", {"n": 1})


async def test_topics_are_filtered(new_bus: BusFactory) -> None:
    bus = new_bus()
    async with bus.subscribe("agent") as agents, bus.subscribe("call", "agent") as both:
        await bus.publish("call", {"n": 1})
        await bus.publish("agent", {"n": 2})
        assert await receive(agents) == ("agent", {"n": 2})
        assert await nothing(agents)
        assert [await receive(both), await receive(both)] == [
            ("call", {"n": 1}),
            ("agent", {"n": 2}),
        ]


async def test_order_is_kept_per_topic(new_bus: BusFactory) -> None:
    bus = new_bus()
    async with bus.subscribe("call") as sub:
        for n in range(300):
            await bus.publish("call", {"n": n})
        got = [(await receive(sub))[1]["n"] for _ in range(300)]
    assert got == list(range(300))


async def test_exit_unsubscribes(new_bus: BusFactory) -> None:
    bus = new_bus()
    async with bus.subscribe("call") as stays:
        async with bus.subscribe("call") as leaves:
            await bus.publish("call", {"n": 1})
            assert await receive(leaves) == ("call", {"n": 1})
        await bus.publish("call", {"n": 2})
        assert await receive(stays) == ("call", {"n": 1})
        assert await receive(stays) == ("call", {"n": 2})
        assert await nothing(leaves)
    assert not bus._subscribers  # type: ignore[attr-defined]
    async with bus.subscribe("call") as again:
        await bus.publish("call", {"n": 3})
        assert await receive(again) == ("call", {"n": 3})


async def test_polish_text_and_nesting_round_trip_as_json(new_bus: BusFactory) -> None:
    bus = new_bus()
    message = {
        "text": POLISH,
        "nested": {"list": [1, 2.5, None, True], "quote": "\"'<script>"},
        "empty": "",
        "undecodable": "x\udcff",
    }
    async with bus.subscribe("call") as one, bus.subscribe("call") as two:
        await bus.publish("call", message)
        _, first = await receive(one)
        first["text"] = "changed by one subscriber"
        _, second = await receive(two)
    assert second == message
    assert second["text"] == POLISH


async def test_message_that_is_not_json_is_refused(new_bus: BusFactory) -> None:
    bus = new_bus()
    with pytest.raises(TypeError):
        await bus.publish("call", {"when": object()})


async def test_slow_subscriber_loses_oldest_and_never_blocks(new_bus: BusFactory) -> None:
    bus = new_bus(queue_size=5)
    async with bus.subscribe("call") as slow:
        for n in range(20):
            await asyncio.wait_for(bus.publish("call", {"n": n}), 1)
        await until(lambda: slow.dropped == 15, "the reader fanned all 20 out")  # Redis: async
        got = [(await receive(slow))[1]["n"] for _ in range(5)]
        assert await nothing(slow)
    assert got == [15, 16, 17, 18, 19]
    assert slow.dropped == 15


async def test_close_ends_iteration_and_later_publish_is_harmless(new_bus: BusFactory) -> None:
    bus = new_bus()
    received: list[dict[str, Any]] = []

    async def consume() -> None:
        async with bus.subscribe("call") as sub:
            ready.set()
            async for _, message in sub:
                received.append(message)

    ready = asyncio.Event()
    task = asyncio.create_task(consume())
    await ready.wait()
    await bus.publish("call", {"n": 1})
    await until(lambda: received == [{"n": 1}], "the message delivered")
    await bus.close()
    await asyncio.wait_for(task, 3)
    assert received == [{"n": 1}]
    await bus.publish("call", {"n": 2})
    async with bus.subscribe("call") as late:
        with pytest.raises(StopAsyncIteration):  # a closed bus ends iteration at once
            await receive(late)


def test_make_bus_picks_the_implementation() -> None:
    assert isinstance(make_bus(""), InProcessBus)
    assert isinstance(make_bus("redis://127.0.0.1:6379/7"), RedisBus)


async def test_redis_channels_are_prefixed(redis_url: str) -> None:
    import redis.asyncio as aioredis

    prefix = f"cic:test-{secrets.token_hex(4)}:"
    bus = RedisBus(redis_url, prefix=prefix)
    client = aioredis.Redis.from_url(redis_url)
    try:
        async with bus.subscribe("call"):
            assert await client.pubsub_numsub(prefix + "call") == [(f"{prefix}call".encode(), 1)]
        gone = [(f"{prefix}call".encode(), 0)]
        for _ in range(100):  # unsubscribing reaches the server asynchronously
            if await client.pubsub_numsub(prefix + "call") == gone:
                break
            await asyncio.sleep(0.02)
        assert await client.pubsub_numsub(prefix + "call") == gone
    finally:
        await client.aclose()
        await bus.close()


async def test_a_subscriber_arriving_while_the_redis_connection_opens_gets_its_topic(
    redis_url: str,
) -> None:
    # At start-up several loops subscribe while the bus's pub/sub connection is still being
    # opened; two SUBSCRIBEs at that moment each opened a connection and the first one's
    # channel was lost (the wallboard went blind once the responders' watcher was added).
    bus = RedisBus(redis_url, prefix=f"cic:test-{secrets.token_hex(4)}:")
    try:
        async with contextlib.AsyncExitStack() as stack:
            first = asyncio.create_task(stack.enter_async_context(bus.subscribe("first")))
            for _ in range(10_000):  # until the reader has just begun opening its connection
                if bus._pubsub is not None:
                    break
                await asyncio.sleep(0)
            assert bus._pubsub is not None
            second = await stack.enter_async_context(bus.subscribe("second"))
            one = await first
            await bus.publish("first", {"n": 1})
            await bus.publish("second", {"n": 2})
            assert await receive(one) == ("first", {"n": 1})
            assert await receive(second) == ("second", {"n": 2})
    finally:
        await bus.close()


async def test_publishing_with_redis_unreachable_does_not_raise() -> None:
    bus = RedisBus("redis://127.0.0.1:1/0")
    try:
        await bus.publish("call", {"text": POLISH})
        await bus.publish("call", {"text": POLISH})
        assert bus.publish_failures == 2
    finally:
        await bus.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _start_redis(port: int, workdir: Path) -> subprocess.Popen[bytes]:
    server = shutil.which("redis-server")
    if server is None:
        unavailable("redis-server is not installed")
        raise AssertionError("unreachable")
    args = [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly"]
    proc = subprocess.Popen([*args, "no", "--dir", str(workdir)], stdout=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), 0.1).close()
            return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise AssertionError("redis-server did not start")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    proc.wait(10)


async def test_redis_bus_survives_a_redis_restart(tmp_path: Path) -> None:
    port = _free_port()
    proc = _start_redis(port, tmp_path)
    bus = RedisBus(f"redis://127.0.0.1:{port}/0")
    try:
        async with bus.subscribe("call") as sub:
            await bus.publish("call", {"n": 1})
            assert await receive(sub) == ("call", {"n": 1})
            _stop(proc)
            await bus.publish("call", {"n": 2})  # no exception; this process still gets it
            assert bus.publish_failures >= 1
            assert await receive(sub) == ("call", {"n": 2})
            proc = _start_redis(port, tmp_path)
            for n in range(3, 200):  # until the reader has re-subscribed
                await bus.publish("call", {"n": n})
                try:
                    topic, message = await asyncio.wait_for(anext(sub), 0.1)
                    break
                except TimeoutError:
                    continue
            else:
                raise AssertionError("no message after Redis came back")
            assert topic == "call" and message["n"] >= 3
    finally:
        await bus.close()
        _stop(proc)
