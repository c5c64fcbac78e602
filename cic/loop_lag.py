"""How late the event loop runs what is due: the measure of anything blocking it.

FastAGI, AMI and the web share one event loop; a synchronous database call, a CPU-bound job or
a slow log handler on it delays every routing decision. ``LoopLag.run`` wakes every
``interval`` seconds and records how much later than asked it woke up.
"""

from __future__ import annotations

import asyncio
import time

from cic.latency import Samples


class LoopLag:
    """Samples of the event loop's lateness (seconds); see the module doc."""

    def __init__(self, interval: float = 0.05, size: int = 2000) -> None:
        """Probe every ``interval`` s and keep the last ``size`` probes."""
        self.interval = interval
        self.samples = Samples(size)

    async def run(self) -> None:
        """Probe forever (cancel to stop)."""
        while True:
            asked = time.perf_counter()
            await asyncio.sleep(self.interval)
            self.samples.add(max(0.0, time.perf_counter() - asked - self.interval))

    def summary(self) -> dict[str, float | int]:
        """Count, p50, p99 and max lateness in milliseconds."""
        return self.samples.summary()
