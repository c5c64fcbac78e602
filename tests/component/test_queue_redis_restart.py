"""The Redis job stream across a Redis restart that lost everything (no persistence): jobs
queued while it was down are claimed from the table, and once it is back the stream and its
consumer group are made again, so new jobs travel on the stream once more."""

from __future__ import annotations

import logging
import subprocess
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from cic.calls.models import Call
from cic.db import Store, migrate
from cic.postcall import jobs
from cic.postcall.queue import RedisQueue
from tests.component.test_bus_contract import _free_port, _start_redis, _stop


def _job(store: Store, call_id: str) -> int:
    def add(session: Session) -> int:
        session.add(Call(call_id=call_id))
        session.flush()
        job_id, _created = jobs.enqueue(session, call_id, f"/rec/{call_id}.wav", 4)
        return job_id

    return store.run_sync(add)


def _world(tmp_path: Path) -> tuple[Store, int, subprocess.Popen[bytes], RedisQueue]:
    """A migrated SQLite store, a Redis of the test's own on a free port, the queue on both."""
    url = f"sqlite:///{tmp_path / 'cic.db'}"
    migrate(url)
    store = Store(url)
    port = _free_port()
    proc = _start_redis(port, tmp_path)
    return store, port, proc, RedisQueue(store, f"redis://127.0.0.1:{port}/0")


async def test_jobs_go_on_through_a_redis_restart(tmp_path: Path) -> None:
    store, port, proc, queue = _world(tmp_path)
    try:
        first = _job(store, "c1")
        await queue.notify(first)
        claimed = await queue.next("w1", lease=30, wait=0.5)
        assert claimed is not None and claimed.id == first
        await queue.finished(first)

        _stop(proc)  # Redis gone, and with it the stream and the group
        second = _job(store, "c2")
        await queue.notify(second)  # logged, left to the table
        claimed = await queue.next("w1", lease=30, wait=0.2)
        assert claimed is not None and claimed.id == second  # from the table

        proc = _start_redis(port, tmp_path)  # back, empty
        third = _job(store, "c3")
        await queue.notify(third)
        claimed = await queue.next("w1", lease=30, wait=0.5)
        assert claimed is not None and claimed.id == third
        assert queue._messages.get(third), "claimed from the stream again, not the table"
        await queue.finished(third)
        pending = await queue.client.xpending(queue.stream, queue.group)
        assert pending["pending"] == 0
    finally:
        await queue.close()
        _stop(proc)
        await store.close()


async def test_a_long_wait_for_a_job_is_not_taken_for_redis_down(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A worker's default 5-second wait used to outlast redis-py's 5-second socket timeout:
    every idle wait ended as "Redis unavailable" and the worker fell back to the table."""
    store, _port, proc, queue = _world(tmp_path)
    try:
        with caplog.at_level(logging.WARNING, logger="cic.postcall.queue"):
            assert await queue.next("w1", lease=30, wait=6.0) is None
        assert not [r for r in caplog.records if "unavailable" in r.getMessage()]
        job = _job(store, "c4")
        await queue.notify(job)
        claimed = await queue.next("w1", lease=30, wait=6.0)
        assert claimed is not None and claimed.id == job
        assert queue._messages.get(job), "claimed from the stream, not the table"
    finally:
        await queue.close()
        _stop(proc)
        await store.close()
