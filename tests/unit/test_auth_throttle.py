"""The generic per-key throttle (case status by phone): back-off after 5, the 10th refused."""

from __future__ import annotations

from cic.auth.throttle import Throttle, ThrottleRules
from tests.unit.test_auth_support import FakeClock

RULES = ThrottleRules()


def test_backoff_starts_after_five_failures_and_doubles() -> None:
    clock = FakeClock()
    throttle = Throttle(RULES, clock)
    for _ in range(4):
        throttle.failure("caller:a")
        assert throttle.wait_seconds("caller:a") == 0
    throttle.failure("caller:a")
    assert throttle.wait_seconds("caller:a") == 2
    clock.advance(seconds=1)
    assert throttle.wait_seconds("caller:a") == 1
    clock.advance(seconds=1)
    assert throttle.wait_seconds("caller:a") == 0
    throttle.failure("caller:a")
    assert throttle.wait_seconds("caller:a") == 4
    assert throttle.wait_seconds("caller:b") == 0


def test_nine_failures_lock_until_lockout_passes_and_success_resets() -> None:
    clock = FakeClock()
    throttle = Throttle(RULES, clock)
    for _ in range(9):
        throttle.failure("case:7")
    assert throttle.wait_seconds("case:7") == RULES.lockout_seconds
    clock.advance(seconds=RULES.lockout_seconds)
    assert throttle.wait_seconds("case:7") == 0
    throttle.success("case:7")
    assert throttle.failures("case:7") == 0
