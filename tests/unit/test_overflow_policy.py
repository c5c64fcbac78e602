"""The overflow policy: thresholds, one step at a time, and hysteresis against flapping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cic.config import OverflowSettings
from cic.overflow.policy import Load, OverflowPolicy, Step

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
SETTINGS = OverflowSettings(
    add_when_waiting=3, add_when_longest_wait=60, remove_when_waiting=0,
    remove_when_longest_wait=10, calm_seconds=120, step_seconds=20,
)  # fmt: skip


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_adds_when_waiting_or_longest_wait_reach_the_threshold() -> None:
    policy = OverflowPolicy(SETTINGS)
    assert policy.decide(Load(2, 59), at(0), added=0, candidates=2) is Step.HOLD
    assert policy.decide(Load(3, 5), at(1), added=0, candidates=2) is Step.ADD
    other = OverflowPolicy(SETTINGS)
    assert other.decide(Load(1, 60), at(0), added=0, candidates=2) is Step.ADD


def test_adds_one_at_a_time_step_seconds_apart_and_only_with_candidates() -> None:
    policy = OverflowPolicy(SETTINGS)
    assert policy.decide(Load(5, 90), at(0), added=0, candidates=3) is Step.ADD
    assert policy.decide(Load(5, 91), at(10), added=1, candidates=2) is Step.HOLD
    assert policy.decide(Load(5, 110), at(20), added=1, candidates=2) is Step.ADD
    assert policy.decide(Load(5, 140), at(60), added=2, candidates=0) is Step.HOLD


def test_removes_only_after_calm_for_calm_seconds_then_one_by_one() -> None:
    policy = OverflowPolicy(SETTINGS)
    assert policy.decide(Load(4, 70), at(0), added=0, candidates=1) is Step.ADD
    assert policy.decide(Load(0, 0), at(30), added=1, candidates=0) is Step.HOLD
    assert policy.decide(Load(0, 0), at(149), added=1, candidates=0) is Step.HOLD
    assert policy.decide(Load(0, 0), at(150), added=2, candidates=0) is Step.REMOVE
    assert policy.decide(Load(0, 0), at(160), added=1, candidates=0) is Step.HOLD
    assert policy.decide(Load(0, 0), at(170), added=1, candidates=0) is Step.REMOVE
    assert policy.decide(Load(0, 0), at(400), added=0, candidates=0) is Step.HOLD


def test_a_load_between_the_thresholds_neither_adds_nor_removes() -> None:
    policy = OverflowPolicy(SETTINGS)
    assert policy.decide(Load(3, 0), at(0), added=0, candidates=1) is Step.ADD
    for second in range(30, 1000, 15):  # 1-2 waiting, 20-50 s: not pressured, not calm
        step = policy.decide(Load(1 + second % 2, 20 + second % 30), at(second), added=1,
                             candidates=1)  # fmt: skip
        assert step is Step.HOLD


def test_a_busy_moment_restarts_the_calm_period() -> None:
    policy = OverflowPolicy(SETTINGS)
    policy.decide(Load(3, 0), at(0), added=0, candidates=1)
    assert policy.decide(Load(0, 0), at(20), added=1, candidates=0) is Step.HOLD
    assert policy.decide(Load(1, 30), at(100), added=1, candidates=0) is Step.HOLD
    assert policy.decide(Load(0, 0), at(130), added=1, candidates=0) is Step.HOLD
    assert policy.decide(Load(0, 0), at(249), added=1, candidates=0) is Step.HOLD
    assert policy.decide(Load(0, 0), at(250), added=1, candidates=0) is Step.REMOVE


def test_disabled_policy_never_changes_anything() -> None:
    policy = OverflowPolicy(OverflowSettings(enabled=False))
    assert policy.decide(Load(50, 900), at(0), added=0, candidates=5) is Step.HOLD
    assert policy.decide(Load(0, 0), at(900), added=2, candidates=0) is Step.HOLD
