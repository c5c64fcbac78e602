"""When to grow or shrink the first line: thresholds with hysteresis (pure, no I/O).

The policy sees the first-line load once per check and answers "add one", "remove one" or
"hold". It adds while the line is under pressure, one specialist per ``step_seconds``; it
removes only after the line has been calm for ``calm_seconds`` without a break, again one at
a time. Between the two thresholds nothing changes, so a load hovering at the limit does not
make specialists flap in and out of the queue.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from cic.config import OverflowSettings


@dataclass(frozen=True)
class Load:
    """The first line's load now: calls waiting and the longest wait in seconds."""

    waiting: int
    longest_wait: float


class Step(enum.Enum):
    """What the policy asks for."""

    ADD = "add"
    REMOVE = "remove"
    HOLD = "hold"


class OverflowPolicy:
    """Decides steps from successive loads; remembers when calm began and the last change."""

    def __init__(self, settings: OverflowSettings) -> None:
        self.settings = settings
        self.calm_since: datetime | None = None
        self.last_change: datetime | None = None

    def pressured(self, load: Load) -> bool:
        """True when the first line needs more people."""
        s = self.settings
        return load.waiting >= s.add_when_waiting or load.longest_wait >= s.add_when_longest_wait

    def calm(self, load: Load) -> bool:
        """True when the first line could do with fewer people."""
        s = self.settings
        return (
            load.waiting <= s.remove_when_waiting
            and load.longest_wait <= s.remove_when_longest_wait
        )

    def decide(self, load: Load, now: datetime, *, added: int, candidates: int) -> Step:
        """The step for ``load`` at ``now`` with ``added`` helpers in and ``candidates`` free."""
        if not self.settings.enabled:
            return Step.HOLD
        if not self.calm(load):
            self.calm_since = None
        elif self.calm_since is None:
            self.calm_since = now
        if self.pressured(load):
            if candidates > 0 and self._step_due(now):
                return self._changed(now, Step.ADD)
            return Step.HOLD
        if added > 0 and self.calm_since is not None:
            calm_for = now - self.calm_since
            if calm_for >= timedelta(seconds=self.settings.calm_seconds) and self._step_due(now):
                return self._changed(now, Step.REMOVE)
        return Step.HOLD

    def _step_due(self, now: datetime) -> bool:
        if self.last_change is None:
            return True
        return now - self.last_change >= timedelta(seconds=self.settings.step_seconds)

    def _changed(self, now: datetime, step: Step) -> Step:
        self.last_change = now
        return step
