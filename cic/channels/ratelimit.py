"""How many messages the public web form takes per client address and in all, per hour.

In memory, like the sign-in back-off (``cic.auth.lockout``): one controller process serves
the form, and a restart forgets the counts (at worst a client gets another hour's worth).
The memory it takes is bounded by the overall cap, since no more than that many entries are
inside the window at once. The clock is injected, so tests need no sleeping.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from cic.db import utcnow

Scope = Literal["", "client", "all"]


@dataclass(frozen=True)
class Verdict:
    """Whether a message may be taken now: ``wait`` seconds to go (0: yes) and whose cap."""

    wait: int
    scope: Scope = ""


class HourlyLimit:
    """At most ``per_client`` messages per key and ``total`` in all within ``window``."""

    def __init__(
        self,
        per_client: int,
        total: int,
        *,
        window: timedelta = timedelta(hours=1),
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        """Both caps count the messages taken in the last ``window``."""
        self.per_client, self.total, self.window, self.clock = per_client, total, window, clock
        self._clients: dict[str, deque[datetime]] = {}
        self._all: deque[datetime] = deque()

    def take(self, key: str) -> Verdict:
        """Count a message of ``key`` if both caps allow it (``Verdict(0)``), else say how
        long until they do (nothing is counted then)."""
        now = self.clock()
        self._forget(now)
        mine = self._clients.get(key, deque())
        if len(mine) >= self.per_client:
            return Verdict(self._until(mine[0], now), "client")
        if len(self._all) >= self.total:
            return Verdict(self._until(self._all[0], now), "all")
        mine.append(now)
        self._clients[key] = mine
        self._all.append(now)
        return Verdict(0)

    def give_back(self, key: str) -> None:
        """Uncount the last message of ``key`` (it was not taken after all)."""
        mine = self._clients.get(key)
        if mine:
            when = mine.pop()
            if not mine:
                del self._clients[key]
            try:
                self._all.remove(when)
            except ValueError:
                pass

    def _until(self, oldest: datetime, now: datetime) -> int:
        return max(1, math.ceil((oldest + self.window - now).total_seconds()))

    def _forget(self, now: datetime) -> None:
        horizon = now - self.window
        while self._all and self._all[0] <= horizon:
            self._all.popleft()
        for key in [k for k, times in self._clients.items() if times[0] <= horizon]:
            times = self._clients[key]
            while times and times[0] <= horizon:
                times.popleft()
            if not times:
                del self._clients[key]
