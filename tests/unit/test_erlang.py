"""Erlang B and C against published values: the Call Centre Helper example, textbook
Erlang B tables and the exact M/M/c closed forms."""

from __future__ import annotations

import math

import pytest

from cic.dashboard import erlang


def test_call_centre_helper_example_100_calls_in_30_minutes() -> None:
    # 100 calls in 30 minutes, 180 s handling: 10 erlangs; 80 % within 20 s needs 14 agents:
    # probability of waiting 17.4 %, service level 88.8 %, ASA 7.8 s, occupancy 71.4 %
    # (13 agents give 79.6 %, short of the target).
    need = erlang.agents_needed(200, 180, 0.80, 20, 1.0)
    assert need.agents == 14
    assert need.traffic == pytest.approx(10.0)
    assert need.waiting == pytest.approx(0.174, abs=0.0005)
    assert need.service_level == pytest.approx(0.888, abs=0.0005)
    assert need.asa == pytest.approx(7.8, abs=0.05)
    assert need.occupancy == pytest.approx(0.714, abs=0.0005)
    assert erlang.service_level(13, 10.0, 20, 180) == pytest.approx(0.796, abs=0.0005)
    assert erlang.erlang_c(11, 10.0) == pytest.approx(0.6821, abs=0.00005)
    assert erlang.erlang_c(12, 10.0) == pytest.approx(0.4494, abs=0.00005)


def test_westbay_example_360_calls_per_half_hour() -> None:
    # 360 calls per half hour of 4 minutes, 55 agents, 15 s target: 48 erlangs,
    # E[C] 0.2387, ASA 8.2 s, service level 84.6 %, occupancy 87.3 %.
    traffic = 720 * 240 / 3600
    assert traffic == pytest.approx(48.0)
    assert erlang.erlang_c(55, traffic) == pytest.approx(0.2387, abs=0.00005)
    assert erlang.asa(55, traffic, 240) == pytest.approx(8.2, abs=0.05)
    assert erlang.service_level(55, traffic, 15, 240) == pytest.approx(0.846, abs=0.0005)
    assert erlang.occupancy(55, traffic) == pytest.approx(0.873, abs=0.0005)


@pytest.mark.parametrize(
    ("lines", "traffic", "blocking"),
    [
        # Erlang B table (traffic in erlangs carried at a grade of service).
        (5, 1.36, 0.01),
        (10, 4.46, 0.01),
        (10, 5.08, 0.02),
        (10, 7.51, 0.10),
        (20, 12.03, 0.01),
        (100, 84.06, 0.01),
    ],
)
def test_erlang_b_table(lines: int, traffic: float, blocking: float) -> None:
    # The table rounds the traffic to 0.01 erlang: 2 % of the blocking is the rounding.
    assert erlang.erlang_b(lines, traffic) == pytest.approx(blocking, rel=0.02)


def test_exact_closed_forms() -> None:
    assert erlang.erlang_b(1, 3.0) == pytest.approx(3 / 4)
    assert erlang.erlang_b(2, 1.0) == pytest.approx(1 / 5)  # (1/2) / (1 + 1 + 1/2)
    assert erlang.erlang_c(2, 1.0) == pytest.approx(1 / 3)
    assert erlang.erlang_c(3, 2.0) == pytest.approx(4 / 9)
    # M/M/1: waiting probability is the load, ASA = ρ / (1 - ρ) · AHT
    assert erlang.erlang_c(1, 0.5) == pytest.approx(0.5)
    assert erlang.asa(1, 0.5, 60) == pytest.approx(60.0)
    assert erlang.service_level(1, 0.5, 60, 60) == pytest.approx(1 - 0.5 * math.exp(-0.5))


def test_huge_loads_do_not_overflow() -> None:
    # 171 ** 171 / 171! already overflows a float; the recursion does not care.
    assert 0 < erlang.erlang_b(5000, 4900.0) < 0.02
    assert 0 < erlang.erlang_c(5000, 4900.0) < 1
    need = erlang.agents_needed(1_000_000, 300, 0.8, 20, 0.95)
    assert need.traffic == pytest.approx(83_333.33, abs=0.01)
    assert need.agents == 87_720  # the occupancy bound decides: ceil(A / 0.95)
    assert need.occupancy <= 0.95


def test_overload_and_zero_traffic() -> None:
    assert erlang.erlang_c(10, 10.0) == 1.0
    assert erlang.erlang_c(9, 10.0) == 1.0
    assert erlang.service_level(10, 10.0, 20, 180) == 0.0
    assert erlang.asa(10, 10.0, 180) == math.inf
    assert erlang.erlang_c(3, 0.0) == 0.0
    assert erlang.service_level(3, 0.0, 20, 180) == 1.0
    assert erlang.asa(0, 0.0, 180) == 0.0
    assert erlang.occupancy(0, 0.0) == 0.0
    none = erlang.agents_needed(0, 180, 0.8, 20, 0.85)
    assert (none.agents, none.service_level, none.asa) == (0, 1.0, 0.0)
    assert erlang.agents_needed(5, 0, 0.8, 20, 0.85).agents == 0


def test_the_occupancy_cap_adds_agents() -> None:
    # 10 erlangs: 14 agents reach 80 % in 20 s at 71.4 %; a 70 % cap needs ceil(10 / 0.7).
    assert erlang.agents_needed(200, 180, 0.80, 20, 0.70).agents == 15
    # one call an hour of 3 minutes still needs one agent
    one = erlang.agents_needed(1, 180, 0.80, 20, 0.85)
    assert one.agents == 1
    assert one.service_level == pytest.approx(1 - 0.05 * math.exp(-0.95 * 20 / 180))


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError):
        erlang.erlang_b(-1, 1.0)
    with pytest.raises(ValueError):
        erlang.agents_needed(10, 180, 80, 20, 0.85)  # a percent, not a share
    with pytest.raises(ValueError):
        erlang.agents_needed(10, 180, 0.8, 20, 0)
    with pytest.raises(ValueError):
        erlang.service_level(2, 1.0, 20, 0)
