"""Recent durations and their percentiles: routing decisions, their stages, event-loop lag.

Each ``Samples`` keeps the last ``size`` durations (seconds) in memory; ``summary`` gives the
count, p50, p99 and max in milliseconds for the status page and the benches.
"""

from __future__ import annotations

import collections
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager


def summary_ms(seconds: Iterable[float]) -> dict[str, float | int]:
    """Count, p50, p99 and max of ``seconds``, in milliseconds (``{"n": 0}`` when empty)."""
    ordered = sorted(seconds)
    if not ordered:
        return {"n": 0}

    def pick(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 3)

    return {"n": len(ordered), "p50": pick(0.50), "p99": pick(0.99), "max": pick(1.0)}


class Samples:
    """The most recent ``size`` durations of one kind."""

    def __init__(self, size: int = 1000) -> None:
        """Keep at most ``size`` samples (the oldest go first)."""
        self._values: collections.deque[float] = collections.deque(maxlen=size)

    def add(self, seconds: float) -> None:
        """Record one duration."""
        self._values.append(seconds)

    def values(self) -> list[float]:
        """The kept durations, oldest first."""
        return list(self._values)

    def summary(self) -> dict[str, float | int]:
        """See :func:`summary_ms`."""
        return summary_ms(self._values)


class Stages:
    """Durations per named stage (e.g. the stages of a routing decision)."""

    def __init__(self, size: int = 1000) -> None:
        """Each stage keeps its last ``size`` samples."""
        self._size = size
        self._stages: dict[str, Samples] = {}

    def add(self, stage: str, seconds: float) -> None:
        """Record that ``stage`` took ``seconds``."""
        samples = self._stages.get(stage)
        if samples is None:
            samples = self._stages[stage] = Samples(self._size)
        samples.add(seconds)

    @contextmanager
    def timed(self, stage: str) -> Iterator[None]:
        """Record how long the ``with`` block took (also when it raises)."""
        started = time.perf_counter()
        try:
            yield
        finally:
            self.add(stage, time.perf_counter() - started)

    def summary(self) -> dict[str, dict[str, float | int]]:
        """Per stage, :func:`summary_ms` of its samples."""
        return {name: samples.summary() for name, samples in sorted(self._stages.items())}
