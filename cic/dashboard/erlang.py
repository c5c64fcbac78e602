"""Erlang B and Erlang C, the queueing formulas behind the staffing forecast (pure, no I/O).

``traffic`` is the offered load in erlangs: calls per hour times the average handling time
in hours (``A = λ · AHT``). ``agents`` is the number of agents answering (servers).

Erlang B is computed with the stable recursion ``B(0) = 1``,
``B(n) = A · B(n-1) / (n + A · B(n-1))``, never with powers and factorials, so thousands of
agents and erlangs neither overflow nor lose precision; Erlang C follows from it:
``C = N · B / (N - A · (1 - B))``. With ``N <= A`` the queue grows without end: every call
waits (``C = 1``), the service level is 0 and the average speed of answer infinite.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

MAX_AGENTS = 1_000_000


def erlang_b(agents: int, traffic: float) -> float:
    """The share of calls blocked with ``agents`` lines and no queue (Erlang B)."""
    if agents < 0 or traffic < 0:
        raise ValueError("agents and traffic must not be negative")
    blocked = 1.0
    for n in range(1, agents + 1):
        blocked = traffic * blocked / (n + traffic * blocked)
    return blocked


def _c_from_b(agents: int, traffic: float, blocked: float) -> float:
    if traffic == 0:
        return 0.0
    if agents <= traffic:
        return 1.0
    return agents * blocked / (agents - traffic * (1 - blocked))


def erlang_c(agents: int, traffic: float) -> float:
    """The probability that a call has to wait (Erlang C); 1 when ``agents <= traffic``."""
    return _c_from_b(agents, traffic, erlang_b(agents, traffic))


def _level(agents: int, traffic: float, waiting: float, target: float, aht: float) -> float:
    if traffic == 0:
        return 1.0
    if agents <= traffic:
        return 0.0
    return max(0.0, 1.0 - waiting * math.exp(-(agents - traffic) * target / aht))


def service_level(agents: int, traffic: float, target_seconds: float, aht_seconds: float) -> float:
    """The share of calls answered within ``target_seconds``:
    ``1 - C · exp(-(N - A) · T / AHT)``."""
    if aht_seconds <= 0:
        raise ValueError("the average handling time must be positive")
    return _level(agents, traffic, erlang_c(agents, traffic), target_seconds, aht_seconds)


def asa(agents: int, traffic: float, aht_seconds: float) -> float:
    """The average speed of answer in seconds: ``C · AHT / (N - A)`` (``inf`` when overloaded)."""
    if traffic == 0:
        return 0.0
    if agents <= traffic:
        return math.inf
    return erlang_c(agents, traffic) * aht_seconds / (agents - traffic)


def occupancy(agents: int, traffic: float) -> float:
    """The share of the agents' time spent on calls: ``A / N`` (at most 1)."""
    if agents <= 0:
        return 0.0 if traffic == 0 else 1.0
    return min(1.0, traffic / agents)


@dataclass(frozen=True)
class Need:
    """How many agents a load needs, and what they would achieve."""

    agents: int
    traffic: float
    service_level: float
    asa: float
    occupancy: float
    waiting: float


def agents_needed(
    calls_per_hour: float,
    aht_seconds: float,
    target_share: float,
    target_seconds: float,
    max_occupancy: float,
) -> Need:
    """The fewest agents answering ``target_share`` (0..1) of calls within
    ``target_seconds`` with occupancy at most ``max_occupancy`` (0..1].

    The search starts at the occupancy bound and adds one agent at a time, carrying Erlang B
    forward with the recursion (the whole search costs as much as one ``erlang_b``). No
    calls need no agents.
    """
    if calls_per_hour < 0 or aht_seconds < 0:
        raise ValueError("calls and handling time must not be negative")
    if not 0 < max_occupancy <= 1 or not 0 <= target_share <= 1:
        raise ValueError("target share and occupancy are fractions of 1")
    traffic = calls_per_hour * aht_seconds / 3600
    if traffic == 0:
        return Need(0, 0.0, 1.0, 0.0, 0.0, 0.0)
    start = max(1, math.floor(traffic / max_occupancy))
    blocked = erlang_b(start, traffic)
    agents = start
    while agents <= MAX_AGENTS:
        if agents > traffic and traffic / agents <= max_occupancy:
            waiting = _c_from_b(agents, traffic, blocked)
            level = _level(agents, traffic, waiting, target_seconds, aht_seconds)
            if level >= target_share:
                speed = waiting * aht_seconds / (agents - traffic)
                return Need(agents, traffic, level, speed, traffic / agents, waiting)
        agents += 1
        blocked = traffic * blocked / (agents + traffic * blocked)
    raise ValueError("the load needs more agents than can be computed")
