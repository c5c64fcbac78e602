"""Sign-in protection that cannot be turned against staff: back-off per address, locks per pair.

- Failures from one address slow that address down (``auth.backoff_*``): spraying many
  usernames from one place is slow, but the address is never locked, so a colleague behind the
  same NAT waits at most ``backoff_max_seconds``; a user who signed in from that address in the
  last ``remember_days`` is not slowed there at all by other people's failures.
- Failures of one user from one address lock that (user, address) pair (``auth.lock_after``,
  ``auth.lockout_seconds``): an attacker locks only themselves, never the user elsewhere, and a
  user guessed from many addresses is slowed on each of them.

IPv6 addresses count per /64 (one subscriber's network). Pure and in memory: one controller
process holds the counts and a restart forgets them (the audit log keeps every failure, lock
and lift). The clock is injected, so tests need no sleeping.
"""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, TypeVar

from cic.config import AuthSettings

Clock = Callable[[], datetime]
Reason = Literal["", "locked", "backoff"]
K = TypeVar("K")
V = TypeVar("V")
MAX_NAME = 64


def address_key(address: str) -> str:
    """What failures are counted against: the IPv4 address, or the IPv6 /64 network."""
    try:
        ip = ipaddress.ip_address(address.split("%")[0])
    except ValueError:
        return address[:64]
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    if isinstance(ip, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def name_key(username: str) -> str:
    """A username as counted (trimmed, lower case, at most 64 characters)."""
    return username.strip().lower()[:MAX_NAME]


@dataclass
class _Streak:
    failures: int
    last: datetime


@dataclass(frozen=True)
class Verdict:
    """Whether an attempt may be checked now: ``wait`` seconds to go (0: yes) and why not."""

    wait: int
    reason: Reason


@dataclass(frozen=True)
class Counted:
    """A counted failure: the pair's and the address's streaks, and the lock it started."""

    pair_failures: int
    address_failures: int
    locked_until: datetime | None


class SignInGuard:
    """Counts failed sign-ins per address and per (user, address) pair; see the module doc."""

    def __init__(self, settings: AuthSettings, clock: Clock, limit: int = 50_000) -> None:
        """Use ``settings`` (``auth.*``), read the time from ``clock``; keep at most ``limit``
        entries per table (the oldest go first when an attack fills them)."""
        self.settings = settings
        self.clock = clock
        self.limit = limit
        self._addresses: dict[str, _Streak] = {}
        self._pairs: dict[tuple[str, str], _Streak] = {}
        self._known: dict[tuple[str, str], datetime] = {}

    # -- rules -----------------------------------------------------------------------------

    def _backoff(self, failures: int) -> int:
        s = self.settings
        if failures < s.backoff_after:
            return 0
        steps = min(failures - s.backoff_after, 32)
        return int(min(s.backoff_max_seconds, s.backoff_base_seconds * 2**steps))

    def _forgotten(self, streak: _Streak, now: datetime) -> bool:
        quiet = timedelta(seconds=self.settings.backoff_forget_seconds)
        if streak.failures >= self.settings.lock_after:
            quiet += timedelta(seconds=self.settings.lockout_seconds)
        return now - streak.last > quiet

    def _locked_until(self, streak: _Streak | None) -> datetime | None:
        if streak is None or streak.failures < self.settings.lock_after:
            return None
        return streak.last + timedelta(seconds=self.settings.lockout_seconds)

    def _address_wait(self, streak: _Streak | None, now: datetime) -> int:
        if streak is None or self._forgotten(streak, now):
            return 0
        until = streak.last + timedelta(seconds=self._backoff(streak.failures))
        return max(0, math.ceil((until - now).total_seconds()))

    def _known_pair(self, pair: tuple[str, str], now: datetime) -> bool:
        seen = self._known.get(pair)
        return seen is not None and now - seen <= timedelta(days=self.settings.remember_days)

    # -- attempts --------------------------------------------------------------------------

    def check(self, username: str, address: str) -> Verdict:
        """May ``username`` try a password from ``address`` now?"""
        now = self.clock()
        pair = (name_key(username), address_key(address))
        until = self._locked_until(self._pairs.get(pair))
        if until is not None and until > now:
            return Verdict(max(1, math.ceil((until - now).total_seconds())), "locked")
        if self._known_pair(pair, now):
            return Verdict(0, "")
        wait = self._address_wait(self._addresses.get(pair[1]), now)
        return Verdict(wait, "backoff" if wait else "")

    def failure(self, username: str, address: str) -> Counted:
        """Count a failed attempt (before the password is checked, so parallel guesses see it)."""
        now = self.clock()
        pair = (name_key(username), address_key(address))
        at_address = self._bump(self._addresses, pair[1], now)
        at_pair = self._bump(self._pairs, pair, now)
        locked = at_pair.failures >= self.settings.lock_after
        until = self._locked_until(at_pair) if locked else None
        return Counted(at_pair.failures, at_address.failures, until)

    def undo(self, username: str, address: str) -> None:
        """Take back one counted failure (the attempt could not be checked at all)."""
        pair = (name_key(username), address_key(address))
        self._drop_one(self._addresses, pair[1])
        self._drop_one(self._pairs, pair)

    def success(self, username: str, address: str) -> None:
        """The password was right: undo the provisional count, clear the pair, remember it."""
        pair = (name_key(username), address_key(address))
        self._drop_one(self._addresses, pair[1])
        self._pairs.pop(pair, None)
        self._known.pop(pair, None)
        self._known[pair] = self.clock()
        self._trim(self._known, lambda seen: False)

    def _bump(self, table: dict[K, _Streak], key: K, now: datetime) -> _Streak:
        streak = table.pop(key, None)
        if streak is None or self._forgotten(streak, now):
            streak = _Streak(0, now)
        streak.failures += 1
        streak.last = now
        table[key] = streak  # to the end: the newest last
        self._trim(table, lambda s: self._forgotten(s, now))
        return streak

    @staticmethod
    def _drop_one(table: dict[K, _Streak], key: K) -> None:
        streak = table.get(key)
        if streak is not None:
            streak.failures -= 1
            if streak.failures <= 0:
                del table[key]

    def _trim(self, table: dict[K, V], stale: Callable[[V], bool]) -> None:
        if len(table) <= self.limit:
            return
        for key in [k for k, v in table.items() if stale(v)]:
            del table[key]
        while len(table) > self.limit:
            del table[next(iter(table))]

    # -- for admins ------------------------------------------------------------------------

    def locks(self) -> list[dict[str, Any]]:
        """Locked (user, address) pairs, the newest first."""
        now = self.clock()
        out = []
        for (username, address), streak in self._pairs.items():
            until = self._locked_until(streak)
            if until is not None and until > now:
                out.append(
                    {"username": username, "address": address, "failures": streak.failures,
                     "last_failure": streak.last.isoformat(), "locked_until": until.isoformat(),
                     "retry_after": math.ceil((until - now).total_seconds())}
                )  # fmt: skip
        return out[::-1]

    def slowed(self) -> list[dict[str, Any]]:
        """Addresses backing off (or one failure from it), the newest first."""
        now = self.clock()
        out = []
        for address, streak in self._addresses.items():
            if streak.failures >= self.settings.backoff_after and not self._forgotten(streak, now):
                out.append(
                    {"address": address, "failures": streak.failures,
                     "last_failure": streak.last.isoformat(),
                     "retry_after": self._address_wait(streak, now)}
                )  # fmt: skip
        return out[::-1]

    def lift(self, address: str, username: str | None = None) -> bool:
        """Forget the failures of the pair (``username`` given) or of the address; True if any."""
        key = address_key(address.strip())
        if username is None:
            return self._addresses.pop(key, None) is not None
        return self._pairs.pop((name_key(username), key), None) is not None
