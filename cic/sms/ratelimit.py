"""An asyncio rate limiter: at most ``per_second`` starts in any second, spaced evenly, so a
batch of thousands reaches the gateway at the pace its contract allows. When the gateway still
says "too fast" (its real limit is lower than the setting) the rate halves, and creeps back up
with every request that goes through."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable


class RateLimiter:
    """``await limiter.wait()`` before each request; ``pause(seconds)`` holds everyone back
    (the gateway answered 429)."""

    def __init__(
        self,
        per_second: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        """``per_second`` above zero; ``clock`` and ``sleep`` are injected for tests."""
        if per_second <= 0:
            raise ValueError("per_second must be above zero")
        self.fastest = self.interval = 1.0 / per_second
        self._clock, self._sleep = clock, sleep
        self._next = 0.0
        self._slowed = -1e9
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        """Return when the next request may start."""
        async with self._lock:
            now = self._clock()
            start = max(now, self._next)
            self._next = start + self.interval
        if start > now:
            await self._sleep(start - now)

    def slower(self) -> None:
        """The gateway said we are too fast: half the rate (not below one a second), once
        per second however many requests in flight hear it."""
        now = self._clock()
        if now - self._slowed < 1.0:
            return
        self._slowed = now
        self.interval = min(self.interval * 2, max(1.0, self.fastest))

    def faster(self) -> None:
        """A request went through: a little faster again, up to ``per_second``."""
        self.interval = max(self.fastest, self.interval * 0.98)

    def pause(self, seconds: float) -> None:
        """No request starts sooner than ``seconds`` from now."""
        self._next = max(self._next, self._clock() + seconds)
