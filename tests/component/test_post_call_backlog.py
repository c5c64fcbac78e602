"""The post-call backlog: counted from the jobs table, alerting past its thresholds, on the
bus for the wallboard and on the status API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from cic.bus import InProcessBus
from cic.calls.models import Call
from cic.db import Store, migrate
from cic.postcall.backlog import BacklogWatch
from cic.postcall.models import PostCallJob
from cic.wallboard.service import Wallboard

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)


def _jobs(store: Store, *states: tuple[str, int]) -> None:
    """Jobs in ``status`` created ``minutes`` before NOW."""

    def add(session: Session) -> None:
        for status, minutes in states:
            call_id = f"c{status}{minutes}"
            session.add(Call(call_id=call_id))
            session.flush()
            created = NOW - timedelta(minutes=minutes)
            session.add(PostCallJob(call_id=call_id, recording_path=f"/r/{call_id}.wav",
                                    status=status, created_at=created))  # fmt: skip

    store.run_sync(add)


async def test_counts_the_oldest_wait_and_alerts(db_url: str) -> None:
    migrate(db_url)
    store = Store(db_url)
    bus = InProcessBus()
    watch = BacklogWatch(store, bus, alert_jobs=4, alert_minutes=60, clock=lambda: NOW)
    assert watch.as_dict() is None
    empty = await watch.check()
    assert (empty.queued, empty.running, empty.oldest_wait_seconds, empty.alert) == (
        0,
        0,
        None,
        False,
    )
    _jobs(store, ("queued", 30), ("running", 45), ("done", 600), ("failed", 900))
    figures = await watch.check()
    assert (figures.queued, figures.running, figures.failed) == (1, 1, 1)
    assert figures.oldest_wait_seconds == 45 * 60 and not figures.alert  # done/failed don't wait
    _jobs(store, ("queued", 90))
    assert (await watch.check()).alert  # waiting longer than an hour
    async with bus.subscribe("post_call") as subscription:
        await watch.check()
        _topic, message = await anext(aiter(subscription))
    assert message["type"] == "PostCallBacklog" and message["queued"] == 2 and message["alert"]
    shown = watch.as_dict()
    assert shown is not None and shown["alert_jobs"] == 4 and shown["alert_minutes"] == 60

    board = Wallboard()
    assert board.apply(message) and not board.apply(message)  # the same figures change nothing
    expected = {"queued": 2, "running": 1, "failed": 1, "oldest_wait_seconds": 5400.0,
                "alert": True}  # fmt: skip
    assert board.snapshot(NOW)["post_call"] == expected
    await store.close()
