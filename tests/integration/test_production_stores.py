"""The controller on PostgreSQL and the Redis bus (the production back ends), with real calls."""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from collections.abc import Iterator

import pytest

from cic.bus import RedisBus
from cic.demo.scenarios import ResidentCall
from tests.integration.harness import Harness

pytestmark = pytest.mark.integration
ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"
REDIS_URL = "redis://127.0.0.1:6379/0"


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test."""
    psycopg = pytest.importorskip("psycopg")
    name = f"cic_it_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        _unavailable(f"PostgreSQL on 127.0.0.1:5432 is not reachable: {exc}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"postgresql://postgres@127.0.0.1:5432/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _collect_call_events(bus: RedisBus, into: list[dict[str, object]]) -> None:
    async with bus.subscribe("call") as sub:
        async for _topic, message in sub:
            into.append(message)


def test_call_recorded_in_postgresql_and_published_on_redis(
    pbx: Harness, postgres_url: str
) -> None:
    """Switch the controller to PostgreSQL + Redis; a call lands in PG and its events on Redis."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        _unavailable(f"Redis on 127.0.0.1:6379 is not reachable: {exc}")
    pbx.stop_controller()
    pbx.start_controller(CIC_DATABASE_URL=postgres_url, CIC_REDIS_URL=REDIS_URL)
    seen: list[dict[str, object]] = []
    loop = asyncio.new_event_loop()
    bus = RedisBus(REDIS_URL)
    listener = loop.create_task(_collect_call_events(bus, seen))
    try:
        loop.run_until_complete(asyncio.sleep(0.5))
        pbx.login("leszek")
        caller = pbx.call(ResidentCall(number="48500100214", hangup_after_ms=17_000))
        loop.run_until_complete(asyncio.to_thread(caller.wait, 60))
        call = pbx.wait_call(set(), lambda c: bool(c["ended_at"]))
        loop.run_until_complete(asyncio.sleep(0.5))
    finally:
        listener.cancel()
        loop.run_until_complete(asyncio.gather(listener, return_exceptions=True))
        loop.run_until_complete(bus.close())
        loop.close()
        pbx.api("POST", "/api/agents/leszek/logout", {})
        pbx.stop_controller()
        pbx.start_controller()
    assert call["outcome"] == "answered" and call["agent"] == "PJSIP/agent-leszek"
    psycopg = pytest.importorskip("psycopg")
    with psycopg.connect(postgres_url) as conn:
        row = conn.execute(
            "SELECT outcome, agent, caller_number FROM calls WHERE call_id = %s", (call["call_id"],)
        ).fetchone()
    assert row == ("answered", "PJSIP/agent-leszek", "48500100214")
    types = [m["type"] for m in seen if m.get("call_id") == call["call_id"]]
    assert "CallAnswered" in types and "CallEnded" in types, json.dumps(seen)[:500]
