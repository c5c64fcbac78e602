"""Shared helpers of the auth tests: a clock the test moves by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

T0 = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


class FakeClock:
    """Returns ``now``; ``advance`` moves it forward."""

    def __init__(self, start: datetime = T0) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)
