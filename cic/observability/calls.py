"""Calls: how many ended, by outcome, and how many are live now, by state.

Ended calls are counted from the call records' ``call_summary`` bus messages (each call once,
when its record first shows ``ended_at``, under its outcome then); live calls are read from the
AMI tracker at scrape time.
"""

from __future__ import annotations

import collections
from collections.abc import Iterator, Mapping
from typing import Any

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from cic.asterisk.tracker import Tracker
from cic.asterisk.tracker_state import ANSWERED, ENTERED, QUEUED, RINGING
from cic.bus import Bus
from cic.calls.service import SUMMARY_TOPIC

OUTCOMES = ("answered", "abandoned", "callback", "message", "unanswered", "lost", "in_progress")
LIVE_STATES = (ENTERED, QUEUED, RINGING, ANSWERED)


class CallOutcomes:
    """Ended calls counted by outcome (an unknown outcome counts as ``other``)."""

    def __init__(self, remember: int = 20_000) -> None:
        """Remember the last ``remember`` counted call ids (a later summary of the same call,
        such as its recording being attached, is not counted again)."""
        self.counts: dict[str, int] = dict.fromkeys((*OUTCOMES, "other"), 0)
        self._seen: collections.OrderedDict[str, None] = collections.OrderedDict()
        self._remember = remember

    def note(self, message: Mapping[str, Any]) -> bool:
        """Take one ``CallSummary`` message; True when it counted a newly ended call."""
        call = message.get("call")
        if not isinstance(call, Mapping) or not call.get("ended_at"):
            return False
        call_id = str(call.get("call_id") or "")
        if not call_id or call_id in self._seen:
            return False
        self._seen[call_id] = None
        if len(self._seen) > self._remember:
            self._seen.popitem(last=False)
        outcome = str(call.get("outcome") or "")
        self.counts[outcome if outcome in OUTCOMES else "other"] += 1
        return True

    async def follow(self, bus: Bus) -> None:
        """Count from the bus until cancelled."""
        async with bus.subscribe(SUMMARY_TOPIC) as subscription:
            async for _topic, message in subscription:
                self.note(message)


class CallsCollector:
    """``cic_calls_total{outcome}`` and ``cic_calls_in_progress{state}``."""

    def __init__(self, outcomes: CallOutcomes, tracker: Tracker) -> None:
        """Read ``outcomes`` and the live calls of ``tracker``."""
        self.outcomes = outcomes
        self.tracker = tracker

    def collect(self) -> Iterator[Metric]:
        """The figures now."""
        total = CounterMetricFamily(
            "cic_calls", "Calls ended since the controller started, by outcome", labels=["outcome"]
        )
        for outcome, count in self.outcomes.counts.items():
            total.add_metric([outcome], count)
        yield total
        by_state = dict.fromkeys(LIVE_STATES, 0)
        for call in self.tracker.snapshot().calls.values():
            by_state[call.state] = by_state.get(call.state, 0) + 1
        live = GaugeMetricFamily(
            "cic_calls_in_progress", "Resident calls live in Asterisk now, by state",
            labels=["state"],
        )  # fmt: skip
        for state, count in by_state.items():
            live.add_metric([state], count)
        yield live
