"""The transfer state machine: allowed steps, final states release the lock, bad steps 409."""

from __future__ import annotations

import pytest

from cic.transfers import machine as m
from cic.transfers.errors import TransferStateError


@pytest.mark.parametrize(
    ("state", "step", "after"),
    [
        (m.CONSULTING, "return", m.RETURNED),
        (m.CONSULTING, "cancel", m.CANCELLED),
        (m.CONSULTING, "complete", m.COMPLETING),
        (m.COMPLETING, "transferred", m.COMPLETED),
        (m.CONSULTING, "transferred", m.COMPLETED),  # the agent hung up by themselves
        (m.CONSULTING, "target_failed", m.FAILED),
        (m.CONSULTING, "consult_ended", m.RETURNED),
        (m.CONSULTING, "resident_gone", m.ENDED),
        (m.BLIND, "transferred", m.DONE),
        (m.BLIND, "pbx_refused", m.FAILED),
        (m.COMPLETING, "pbx_refused", m.CONSULTING),
    ],
)
def test_allowed_steps(state: str, step: str, after: str) -> None:
    assert m.can(state, step)
    assert m.advance(state, step) == after


@pytest.mark.parametrize("state", sorted(m.FINAL_STATES))
@pytest.mark.parametrize("step", sorted(m.TRANSITIONS))
def test_final_states_accept_nothing(state: str, step: str) -> None:
    assert not m.can(state, step)
    with pytest.raises(TransferStateError) as info:
        m.advance(state, step)
    assert info.value.status == 409
    assert "stan przekazania" in info.value.message


def test_open_and_final_states_partition_all_states() -> None:
    assert m.OPEN_STATES.isdisjoint(m.FINAL_STATES)
    targets = {after for table in m.TRANSITIONS.values() for after in table.values()}
    assert targets <= m.STATES
    assert all(m.is_open(s) for s in m.OPEN_STATES)
    assert not any(m.is_open(s) for s in m.FINAL_STATES)
    assert set(m.STATE_NAMES) == m.STATES


def test_blind_cannot_be_completed_or_cancelled() -> None:
    for step in ("complete", "cancel", "return"):
        with pytest.raises(TransferStateError):
            m.advance(m.BLIND, step)


def test_unknown_step_is_a_bug() -> None:
    with pytest.raises(ValueError, match="unknown transfer step"):
        m.advance(m.CONSULTING, "teleport")
