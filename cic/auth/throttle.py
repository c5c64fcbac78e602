"""Back-off and lock-out after consecutive failures per key (case status by phone).

Pure and in memory (one controller process); the clock is injected so tests need no sleeping.
Sign-ins have their own rules in ``cic.auth.lockout``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class ThrottleRules:
    """``backoff_after`` consecutive failures start a back-off of ``backoff_base_seconds``
    doubling per further failure (at most ``backoff_max_seconds``); once ``lock_after - 1``
    failures are in a row, the ``lock_after``-th attempt is refused (even with the right
    secret) until ``lockout_seconds`` have passed since the last failure."""

    backoff_after: int = 5
    lock_after: int = 10
    backoff_base_seconds: int = 2
    backoff_max_seconds: int = 60
    lockout_seconds: int = 15 * 60


@dataclass
class _Record:
    failures: int
    last_failure: datetime


class Throttle:
    """Counts consecutive failures per key (``caller:NUMBER``, ``case:ID``); a success resets."""

    def __init__(self, settings: ThrottleRules, clock: Clock) -> None:
        """Use ``settings`` thresholds and read the time from ``clock``."""
        self.settings = settings
        self.clock = clock
        self._records: dict[str, _Record] = {}

    def wait_seconds(self, key: str) -> int:
        """Whole seconds until ``key`` may try again; 0 when an attempt is allowed now."""
        record = self._records.get(key)
        if record is None:
            return 0
        delay = self._delay(record.failures)
        if delay <= 0:
            return 0
        left = (record.last_failure + timedelta(seconds=delay) - self.clock()).total_seconds()
        return max(0, math.ceil(left))

    def _delay(self, failures: int) -> int:
        s = self.settings
        if failures >= s.lock_after - 1:
            return s.lockout_seconds
        if failures < s.backoff_after:
            return 0
        return int(
            min(s.backoff_max_seconds, s.backoff_base_seconds * 2 ** (failures - s.backoff_after))
        )

    def failure(self, key: str) -> int:
        """Count a failure of ``key``; returns the consecutive failures so far."""
        now = self.clock()
        record = self._records.get(key)
        if record is None:
            record = self._records[key] = _Record(0, now)
        record.failures += 1
        record.last_failure = now
        self._prune(now)
        return record.failures

    def undo(self, key: str) -> None:
        """Take back one counted failure (the attempt could not be checked at all)."""
        record = self._records.get(key)
        if record is not None:
            record.failures -= 1
            if record.failures <= 0:
                del self._records[key]

    def success(self, key: str) -> None:
        """Forget the failures of ``key``."""
        self._records.pop(key, None)

    def failures(self, key: str) -> int:
        """Consecutive failures of ``key`` on record."""
        record = self._records.get(key)
        return record.failures if record else 0

    def _prune(self, now: datetime, limit: int = 10_000) -> None:
        if len(self._records) <= limit:
            return
        horizon = now - timedelta(seconds=self.settings.lockout_seconds)
        for key in [k for k, r in self._records.items() if r.last_failure < horizon]:
            del self._records[key]
