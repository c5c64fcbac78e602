"""Every background loop of a process runs under one :class:`Supervisor`.

A loop that raises is logged and started again after a back-off (1 s doubling to a minute; a
run that lasted longer than the longest back-off starts the count again), so one bad record or
a dropped connection does not silently end the wallboard feed or the callback retries for the
rest of the process's life. A loop that returns has finished its job (a one-off load) and stays
finished. Each loop's state (running, finished, waiting to restart, how often it failed, the
last error) is what the status page shows.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

log = logging.getLogger(__name__)

Loop = Callable[[], Awaitable[None]]
Sleep = Callable[[float], Awaitable[None]]
Status = Literal["running", "finished", "restarting", "stopped"]


@dataclass
class TaskState:
    """What the supervisor knows of one loop."""

    name: str
    status: Status = "running"
    failures: int = 0
    last_error: str = ""
    last_failure_at: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON for ``/api/status``."""
        failed_at = self.last_failure_at
        return {
            "name": self.name,
            "status": self.status,
            "failures": self.failures,
            "last_error": self.last_error,
            "last_failure_at": failed_at.isoformat() if failed_at else None,
        }


class Supervisor:
    """Starts named loops, restarts the ones that fail, stops them all at the end."""

    def __init__(
        self,
        *,
        first_delay: float = 1.0,
        max_delay: float = 60.0,
        sleep: Sleep = asyncio.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        """``sleep`` and ``monotonic`` are injected so tests need no real waiting."""
        self.first_delay = first_delay
        self.max_delay = max_delay
        self._sleep = sleep
        self._monotonic = monotonic
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._states: dict[str, TaskState] = {}

    def start(self, name: str, loop: Loop) -> None:
        """Run ``loop()`` as the task ``name`` (unique within this supervisor)."""
        if name in self._tasks:
            raise ValueError(f"a task named {name!r} is already supervised")
        state = self._states[name] = TaskState(name)
        self._tasks[name] = asyncio.create_task(self._keep(loop, state), name=name)

    def context(self, loops: Mapping[str, Loop]) -> Callable[[Any], AsyncIterator[None]]:
        """A cleanup context (for ``app.cleanup_ctx``) that starts ``loops`` by name at
        start-up and stops exactly those at clean-up."""

        async def run(_app: Any) -> AsyncIterator[None]:
            for name, loop in loops.items():
                self.start(name, loop)
            yield
            await self.stop(loops)

        return run

    def states(self) -> list[TaskState]:
        """Every supervised loop's state, in start order."""
        return list(self._states.values())

    def task(self, name: str) -> asyncio.Task[None]:
        """The asyncio task that runs (and restarts) ``name``."""
        return self._tasks[name]

    async def stop(self, names: Iterable[str] | None = None) -> None:
        """Cancel the loops ``names`` (all by default) and wait until each has ended."""
        chosen = list(self._tasks) if names is None else [n for n in names if n in self._tasks]
        tasks = [self._tasks.pop(name) for name in chosen]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for name in chosen:
            if self._states[name].status != "finished":
                self._states[name].status = "stopped"

    async def _keep(self, loop: Loop, state: TaskState) -> None:
        delay = self.first_delay
        while True:
            state.status = "running"
            began = self._monotonic()
            try:
                await loop()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if self._monotonic() - began > self.max_delay:
                    delay = self.first_delay  # it had been running well: a fresh failure
                state.failures += 1
                state.last_error = (str(exc).splitlines() or [type(exc).__name__])[0][:200]
                state.last_failure_at = datetime.now(UTC)
                state.status = "restarting"
                log.exception("background task %s failed; restarting in %.0f s", state.name, delay)
                await self._sleep(delay)
                delay = min(delay * 2, self.max_delay)
                continue
            state.status = "finished"
            return


async def rounds(
    work: Callable[[], Awaitable[object]], wake: asyncio.Event, poll_seconds: float, what: str
) -> None:
    """Forever: ``work()``, then wait for ``wake`` (something was queued) or ``poll_seconds``.

    A failing round is logged as ``what`` and the next one comes as usual: one bad record or a
    dropped connection does not end the loop.
    """
    while True:
        try:
            await work()
        except Exception:
            log.exception("%s: a round failed; trying again later", what)
        wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wake.wait(), poll_seconds)
