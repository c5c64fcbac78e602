"""Closing a lost node's calls: once per outage, only after ``ha.node_lost_seconds``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from cic.calls.node_lost import NodeLostWatch
from cic.calls.service import NODE_LOST

T0 = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)


class FakeCalls:
    def __init__(self) -> None:
        self.reconciled: list[tuple[frozenset[str], datetime, str]] = []

    async def reconcile(self, live: frozenset[str], at: datetime, reason: str) -> None:
        self.reconciled.append((live, at, reason))


async def test_calls_are_closed_once_per_outage_after_the_delay() -> None:
    calls, now = FakeCalls(), [T0]
    lost: list[datetime | None] = [None]
    calls_any: Any = calls
    watch = NodeLostWatch(calls_any, lambda: lost[0], 30, clock=lambda: now[0])
    assert not await watch.check()  # link up
    lost[0] = T0
    now[0] = T0 + timedelta(seconds=29)
    assert not await watch.check()  # not long enough: a short AMI hiccup closes nothing
    now[0] = T0 + timedelta(seconds=30)
    assert await watch.check()
    assert not await watch.check()  # the same outage: once
    assert calls.reconciled == [(frozenset(), T0, NODE_LOST)]  # as of the moment it was lost
    lost[0], now[0] = T0 + timedelta(minutes=5), T0 + timedelta(minutes=6)
    assert await watch.check()  # a new outage after the node came back
    assert calls.reconciled[-1][1] == T0 + timedelta(minutes=5)
