"""Call records kept on local disk through a database outage and a controller restart: written
once the database is back, in order, none twice; the spool file itself."""

from __future__ import annotations

import os
from pathlib import Path

from cic import events as ev
from cic.calls.recording_files import RecordingInfo
from cic.calls.service import CallService
from cic.spool import FileSpool
from tests.component.test_call_service import (  # noqa: F401 - fixtures
    CID,
    FakeBus,
    FlakyStore,
    at,
    bus,
    lifecycle,
    store,
)


def test_the_spool_file(tmp_path: Path) -> None:
    spool = FileSpool(tmp_path / "spool" / "calls.jsonl")
    assert spool.load() == []
    spool.append([{"n": 1, "text": "zażółć \ud800"}, {"n": 2}])
    assert os.stat(spool.path).st_mode & 0o777 == 0o600
    assert os.stat(spool.path.parent).st_mode & 0o777 == 0o700
    with spool.path.open("ab") as f:
        f.write(b'[1, 2]\n{"n": 3, "torn')  # not an object, and a crash mid-line
    spool.append([{"n": 4}])
    assert [r["n"] for r in spool.load()] == [1, 2, 4]
    assert spool.load()[0]["text"] == "zażółć \ud800"
    spool.clear()
    assert spool.load() == [] and spool.path.exists()


async def test_an_outage_and_a_restart_lose_no_call_record(
    store: FlakyStore,  # noqa: F811
    bus: FakeBus,  # noqa: F811
    tmp_path: Path,
) -> None:
    spool = FileSpool(tmp_path / "calls.jsonl")
    first = CallService(store, bus, retry_interval=0, spool=spool)  # type: ignore[arg-type]
    await first.apply(lifecycle()[0])  # written before the outage
    store.down = True
    for event in lifecycle()[1:]:
        await first.apply(event)
    await first.reconcile(frozenset(), at(100))
    info = RecordingInfo(bytes=1044, duration_seconds=0.06, sha256="a" * 64)
    await first._attach_known(CID, "/rec/x.wav", "call", info)
    assert len(first.backlog) == len(lifecycle()) - 1 + 2
    assert len(spool.load()) == len(lifecycle()) - 1 + 2  # on disk, not only in memory
    # The controller is killed here; the database comes back; a new controller starts.
    store.down = False
    second = CallService(store, bus, retry_interval=0, spool=spool)  # type: ignore[arg-type]
    kept = len(spool.load())
    replay = second._replay

    async def replay_and_check(record: dict[str, object]) -> None:
        await replay(record)  # written at once: the database is up
        assert len(spool.load()) == kept  # a crash now must still find every record

    second._replay = replay_and_check  # type: ignore[method-assign]
    assert await second.recover() == len(lifecycle()) + 1
    call = await second.get_call(CID)
    assert call is not None and call["outcome"] == "answered" and call["ended_at"]
    assert [e["type"] for e in call["timeline"]] == [type(e).__name__ for e in lifecycle()] + [
        "RecordingAttached"
    ]
    assert [r["path"] for r in call["recordings"]] == ["/rec/x.wav"]
    assert spool.load() == [] and not second.backlog.spool_dirty
    # Replaying records that were already written adds nothing (a crash after the write).
    spool.append([{"write": "event", "event": e.to_dict()} for e in lifecycle()])
    spool.append([{"write": "event", "event": {"type": "NoSuchEvent", "at": "x"}}])  # skipped
    third = CallService(store, bus, retry_interval=0, spool=spool)  # type: ignore[arg-type]
    assert await third.recover() == len(lifecycle()) + 1
    again = await third.get_call(CID)
    assert again is not None and len(again["timeline"]) == len(call["timeline"])
    assert spool.load() == []


async def test_without_an_outage_nothing_is_spooled(
    store: FlakyStore,  # noqa: F811
    bus: FakeBus,  # noqa: F811
    tmp_path: Path,
) -> None:
    spool = FileSpool(tmp_path / "calls.jsonl")
    service = CallService(store, bus, retry_interval=0, spool=spool)  # type: ignore[arg-type]
    for event in lifecycle():
        await service.apply(event)
    assert not spool.path.exists() and await service.recover() == 0
    assert ev.from_dict(lifecycle()[-1].to_dict()) == lifecycle()[-1]
