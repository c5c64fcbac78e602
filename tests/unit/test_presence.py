"""Presence is derived from facts; wrap-up is never shown as available."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cic.agents.presence import Facts, State, state_of

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (Facts(), State.OFFLINE),
        (Facts(logged_in=True, device="NOT_INUSE"), State.AVAILABLE),
        (Facts(logged_in=True, device="RINGING"), State.RINGING),
        (Facts(logged_in=True, device="INUSE"), State.ON_CALL),
        (Facts(logged_in=True, device="ONHOLD"), State.ON_CALL),
        (Facts(logged_in=True, paused=True, pause_reason="szkolenie"), State.PAUSED),
        (Facts(logged_in=True, paused=True, device="INUSE"), State.ON_CALL),
        (Facts(logged_in=True, device="UNAVAILABLE"), State.OFFLINE),
        (Facts(logged_in=True, wrapup_until=NOW + timedelta(seconds=1)), State.WRAPUP),
        (Facts(logged_in=True, wrapup_until=NOW), State.AVAILABLE),
        (Facts(logged_in=False, device="INUSE"), State.OFFLINE),
    ],
)
def test_state_of(facts: Facts, expected: State) -> None:
    assert state_of(facts, NOW) is expected


def test_wrapup_ends_by_time_alone() -> None:
    facts = Facts(logged_in=True, device="NOT_INUSE", wrapup_until=NOW + timedelta(seconds=30))
    assert state_of(facts, NOW + timedelta(seconds=29)) is State.WRAPUP
    assert state_of(facts, NOW + timedelta(seconds=30)) is State.AVAILABLE
