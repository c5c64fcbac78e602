"""Queues: callers waiting and the longest wait now, per queue (the wallboard's live figures)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime

from prometheus_client.core import GaugeMetricFamily, Metric

from cic.wallboard.service import Wallboard


class QueuesCollector:
    """``cic_queue_callers_waiting{queue}`` and ``cic_queue_longest_wait_seconds{queue}``."""

    def __init__(
        self,
        board: Wallboard,
        known: Callable[[], Iterable[str]],
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        """Read ``board``; ``known`` names the queues shown even before their first call."""
        self.board = board
        self.known = known
        self.clock = clock

    def collect(self) -> Iterator[Metric]:
        """The figures now."""
        now = self.clock()
        waiting = GaugeMetricFamily(
            "cic_queue_callers_waiting", "Callers waiting in the queue now", labels=["queue"]
        )
        longest = GaugeMetricFamily(
            "cic_queue_longest_wait_seconds",
            "How long the longest-waiting caller in the queue has waited (0: nobody waits)",
            labels=["queue"],
        )
        for name in sorted({*self.known(), *self.board.queues}):
            count, seconds = self.board.queue_load(name, now)
            waiting.add_metric([name], count)
            longest.add_metric([name], round(seconds, 3))
        yield waiting
        yield longest
