"""The write backlog batches writes that queue up under load, in order, and a bad write in a
batch costs only itself."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from cic.db import Store, WriteBacklog
from cic.spool import FileSpool


class CountingStore(Store):
    """A real SQLite store that counts transactions."""

    runs = 0

    async def run(self, fn: Callable[[Session], Any]) -> Any:
        self.runs += 1
        return await super().run(fn)


def _store(tmp_path: Path) -> CountingStore:
    store = CountingStore(f"sqlite:///{tmp_path / 'b.db'}")
    store.run_sync(lambda s: s.execute(text("CREATE TABLE t (n INTEGER NOT NULL UNIQUE)")))
    return store


def _insert(n: int) -> Callable[[Session], int]:
    def write(session: Session) -> int:
        session.execute(text("INSERT INTO t (n) VALUES (:n)"), {"n": n})
        return n

    return write


def _rows(store: Store) -> list[int]:
    return list(
        store.run_sync(lambda s: s.execute(text("SELECT n FROM t ORDER BY rowid"))).scalars()
    )


async def test_writes_that_queue_up_go_in_batches_in_order(tmp_path: Path) -> None:
    store = _store(tmp_path)
    backlog = WriteBacklog(store, batch=50)
    seen: list[int] = []

    async def after(n: int) -> None:
        seen.append(n)

    await asyncio.gather(*(backlog.submit(f"w{n}", _insert(n), after) for n in range(300)))
    assert await backlog.drain() is True
    assert _rows(store) == list(range(300)) and seen == list(range(300))
    assert len(backlog) == 0 and backlog.dropped == 0
    assert store.runs < 300 / 5  # one transaction per batch, not per write
    await store.close()


async def test_a_bad_write_in_a_batch_costs_only_itself(tmp_path: Path) -> None:
    store = _store(tmp_path)
    backlog = WriteBacklog(store, batch=50, max_attempts=2)
    writes = [_insert(n) for n in range(10)] + [_insert(3)] + [_insert(n) for n in range(10, 20)]
    await asyncio.gather(*(backlog.submit(f"w{i}", w) for i, w in enumerate(writes)))
    assert await backlog.drain() is True
    assert sorted(_rows(store)) == list(range(20))  # the duplicate 3 alone was refused
    assert backlog.dropped == 1 and len(backlog) == 0
    await store.close()


async def test_a_held_backlog_writes_nothing_and_spools_only_new_records(tmp_path: Path) -> None:
    store = _store(tmp_path)
    spool = FileSpool(tmp_path / "spool.jsonl")
    spool.append([{"n": 0}])  # kept by an earlier process
    backlog = WriteBacklog(store, spool=spool)
    backlog.hold = True  # the database not opened yet
    backlog.keep_spool = True  # replaying the earlier process's record
    assert await backlog.submit("w0", _insert(0), record={"n": 0}) is False
    backlog.keep_spool = False
    for n in (1, 2):
        assert await backlog.submit(f"w{n}", _insert(n), record={"n": n}) is False
    assert await backlog.drain() is False
    assert store.runs == 0 and len(backlog) == 3
    assert spool.load() == [{"n": 0}, {"n": 1}, {"n": 2}]  # the replayed one not twice
    backlog.hold = False
    assert await backlog.drain() is True
    assert _rows(store) == [0, 1, 2] and spool.load() == []
    await store.close()
