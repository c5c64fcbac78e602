"""Readiness: may this controller take calls now? Each dependency is one named check.

Ready means: the database answers, AMI is connected and the tracker has re-read the live state
since the login, the FastAGI server listens, Redis answers (when configured) and the post-call
job queue is reachable (when post-call processing is on: Redis or the database, whichever holds
it). Every check carries a stable key and a Polish message for the office's IT.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis
from prometheus_client.core import GaugeMetricFamily, Metric
from sqlalchemy import text

from cic.asterisk.ami import AmiStats
from cic.db import Store

MESSAGES = {
    "database": "Baza danych nie odpowiada.",
    "ami": "Brak połączenia z centralą Asterisk (AMI).",
    "tracker": "Stan połączeń nie został jeszcze odczytany z centrali po połączeniu.",
    "fastagi": "Serwer FastAGI nie przyjmuje połączeń: centrala nie zapyta, dokąd kierować.",
    "redis": "Redis nie odpowiada.",
    "post_call_queue": "Kolejka zadań po rozmowie (transkrypcja) jest niedostępna.",
}


@dataclass(frozen=True)
class Check:
    """One dependency's state: ``key`` (stable), ``ok``, and the Polish message when not."""

    key: str
    ok: bool

    @property
    def message(self) -> str:
        """What is wrong, in Polish ('' when ok)."""
        return "" if self.ok else MESSAGES[self.key]


async def answers(probe: Callable[[], Awaitable[object]], limit: float) -> bool:
    """True when ``probe`` finishes within ``limit`` seconds without an error."""
    try:
        await asyncio.wait_for(probe(), limit)
    except Exception:  # any failure or the timeout means: not reachable now
        return False
    return True


def database_probe(store: Store) -> Callable[[], Awaitable[object]]:
    """``SELECT 1`` on the store (off the event loop)."""
    return lambda: store.run(lambda session: session.execute(text("SELECT 1")).scalar())


def redis_probe(url: str, timeout: float) -> Callable[[], Awaitable[object]]:
    """``PING`` on a connection of its own, closed afterwards."""

    async def ping() -> object:
        client: Any = aioredis.Redis.from_url(
            url, socket_connect_timeout=timeout, socket_timeout=timeout
        )
        try:
            return await client.ping()
        finally:
            await client.aclose()

    return ping


class Readiness:
    """Runs the checks; the latest results also feed ``cic_dependency_up`` and ``cic_ready``."""

    def __init__(
        self,
        store: Store,
        ami: AmiStats,
        agi_listening: Callable[[], bool],
        *,
        redis_url: str = "",
        post_call_queue: str = "",
        timeout: float = 2.0,
    ) -> None:
        """``post_call_queue`` is ``store`` or ``redis`` when post-call processing is on, ''
        when off (no check then)."""
        self.database = database_probe(store)
        self.redis = redis_probe(redis_url, timeout) if redis_url else None
        self.ami = ami
        self.agi_listening = agi_listening
        self.post_call_queue = post_call_queue
        self.timeout = timeout
        self.latest: list[Check] = []

    async def run(self) -> list[Check]:
        """Every check now (the slow ones at once, each bounded by the timeout)."""
        database, redis = await asyncio.gather(
            answers(self.database, self.timeout),
            answers(self.redis, self.timeout) if self.redis else _true(),
        )
        checks = [
            Check("database", database),
            Check("ami", self.ami.connected),
            Check("tracker", self.ami.connected and self.ami.in_sync),
            Check("fastagi", self.agi_listening()),
        ]
        if self.redis is not None:
            checks.append(Check("redis", redis))
        if self.post_call_queue:
            queue_ok = redis if self.post_call_queue == "redis" else database
            checks.append(Check("post_call_queue", queue_ok))
        self.latest = checks
        return checks

    def collect(self) -> Iterator[Metric]:
        """``cic_ready`` and ``cic_dependency_up{dependency}`` from the latest run."""
        if not self.latest:
            return
        yield GaugeMetricFamily(
            "cic_ready", "1 when every readiness check passed (see /readyz)",
            value=int(all(c.ok for c in self.latest)),
        )  # fmt: skip
        up = GaugeMetricFamily(
            "cic_dependency_up", "1 when the dependency answered the readiness check",
            labels=["dependency"],
        )  # fmt: skip
        for check in self.latest:
            up.add_metric([check.key], int(check.ok))
        yield up


async def _true() -> bool:
    return True


def report(checks: list[Check]) -> dict[str, Any]:
    """The JSON answer of ``/readyz``."""
    failing = [c for c in checks if not c.ok]
    return {
        "ready": not failing,
        "checks": {c.key: {"ok": c.ok, "message": c.message} for c in checks},
        "failing": [c.key for c in failing],
        "message": "Gotowy do obsługi połączeń."
        if not failing
        else "Niegotowy: " + " ".join(c.message for c in failing),
    }
