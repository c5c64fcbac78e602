"""A slow database does not slow the routing decision; stalled writes lose nothing.

PostgreSQL: the controller reaches a PostgreSQL server of the test's own through a TCP proxy
that delays every packet by 0.4 s (a congested link, an overloaded server). A routing decision
reads no database (the last agent per number and the open matters' owners are kept in
memory; a history read that would be needed has a 50 ms budget and then falls back), so the
returning caller is still put through to the agent who helped him, by the controller and not
by the dialplan's fallback; the call's records arrive once written, each once.

SQLite: another process holds the database's write lock for seconds (a backup, or a disk that
takes seconds per fsync): reads go on in WAL mode, so the returning caller is still recognised,
and the call's records are written once the lock is released.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cic.demo.scenarios import AgentPhone, ResidentCall
from tests.integration.harness import Harness, free_port
from tests.integration.test_database_outage import own_postgres

NUMBER = "48500100681"


class LatencyProxy:
    """A TCP proxy on 127.0.0.1 that holds every chunk ``delay`` seconds before passing it on."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = free_port()
        self.delay = 0.0
        self.chunks_delayed = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def __enter__(self) -> LatencyProxy:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._listen(), self._loop).result(10)
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self._close(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    async def _close(self) -> None:
        self._server.close()
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _listen(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.close()
            return
        await asyncio.gather(self._pump(reader, up_writer), self._pump(up_reader, writer),
                             return_exceptions=True)  # fmt: skip

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while chunk := await reader.read(65536):
                if self.delay:
                    self.chunks_delayed += 1
                    await asyncio.sleep(self.delay)
                writer.write(chunk)
                await writer.drain()
        finally:
            writer.close()


def _returning(h: Harness, agent: str) -> dict[str, Any]:
    """A call from the resident ``agent`` answered before, once its record is complete."""
    return h.complete_call(ResidentCall(number=NUMBER, hangup_after_ms=12000),
                           lambda c: bool(c["ended_at"] and c["agent"]), 40)  # fmt: skip


def test_a_slow_postgresql_does_not_slow_routing(tmp_path: Path) -> None:
    with own_postgres() as pg, LatencyProxy(pg.port) as proxy:
        url = f"postgresql://postgres@127.0.0.1:{proxy.port}/postgres"
        h = Harness.create(tmp_path / "state", CIC_DATABASE_URL=url,
                           CIC_OFFICE__RECORDING_POLICY="never",
                           CIC_OFFICE__WRAPUP_SECONDS="0")  # fmt: skip
        try:
            h.start_controller()
            h.login("wolna", AgentPhone(ring_ms=800), calls=3)
            first = _returning(h, "wolna")
            assert first["routing_reason"] == "first_line"

            before = h.call_ids()
            proxy.delay = 0.4  # every round trip to the database now takes 0.8 s or more
            caller = h.call(ResidentCall(number=NUMBER, hangup_after_ms=12000))
            assert caller.wait(60) == 0, caller.errors()  # answered all the same
            assert proxy.chunks_delayed > 0
            proxy.delay = 0.0
            slow = h.wait_call(before, lambda c: bool(c["ended_at"] and c["agent"]), 60)
            assert slow["routing_reason"] == "returning_caller:PJSIP/agent-wolna"
            assert not slow["fallback"] and slow["outcome"] == "answered"
            types = [e["type"] for e in h.api("GET", f"/api/calls/{slow['call_id']}")["timeline"]]
            for kind in ("CallEntered", "CallRouted", "CallAnswered", "CallEnded"):
                assert types.count(kind) == 1, (kind, types)

        finally:
            h.close()


@contextlib.contextmanager
def write_lock(database: Path) -> Iterator[None]:
    """Hold SQLite's write lock on ``database`` from another connection until the block ends."""
    held = sqlite3.connect(database, timeout=30, isolation_level=None)
    held.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        held.execute("ROLLBACK")
        held.close()


def test_a_stalled_sqlite_writer_delays_records_but_loses_none(tmp_path: Path) -> None:
    h = Harness.create(tmp_path / "state", CIC_OFFICE__RECORDING_POLICY="never",
                       CIC_OFFICE__WRAPUP_SECONDS="0")  # fmt: skip
    try:
        h.start_controller()
        h.login("zablokowana", AgentPhone(ring_ms=800), calls=3)
        assert _returning(h, "zablokowana")["routing_reason"] == "first_line"
        before = h.call_ids()
        database = Path(h.settings.db_url.removeprefix("sqlite:///"))
        with write_lock(database):
            caller = h.call(ResidentCall(number=NUMBER, hangup_after_ms=12000))
            assert caller.wait(60) == 0, caller.errors()
            time.sleep(8)  # longer than SQLite's busy timeout: the writes wait in the backlog
            assert h.call_ids() == before  # nothing of the call could be written yet
        call = h.wait_call(before, lambda c: bool(c["ended_at"] and c["agent"]), 60)
        assert call["routing_reason"] == "returning_caller:PJSIP/agent-zablokowana"
        assert call["outcome"] == "answered"
        types = [e["type"] for e in h.api("GET", f"/api/calls/{call['call_id']}")["timeline"]]
        for kind in ("CallEntered", "CallRouted", "CallAnswered", "CallEnded"):
            assert types.count(kind) == 1, (kind, types)
    finally:
        h.close()
