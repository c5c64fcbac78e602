"""The post-call workers as a child process of the controller, restarted when they die.

Transcription is CPU-bound for seconds per recording. Run in the controller (even in a thread)
it competes with FastAGI and AMI for the event loop and the GIL, and routing decisions wait.
So by default (``speech.worker_process``) the controller starts ``python -m cic worker``
with its own database, queue and engine settings and keeps it running: a child that exits is
started again after a back-off (1 s doubling to ``max_backoff``, reset after a minute of good
running); on stop it gets SIGTERM and, after ``grace`` seconds, SIGKILL. Jobs hold leases, so a
killed child's job is taken up again. The child's standard input is a pipe from this process:
when the controller dies without stopping it (SIGKILL, a crash), the pipe ends and the child
stops too (``--stop-with-stdin``). It runs at nice 10: on a busy box the calls (Asterisk, the
controller) get the CPU first and the backlog waits.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from cic.config import Settings

log = logging.getLogger(__name__)


def worker_command(settings: Settings) -> list[str]:
    """``python -m cic worker`` with the controller's queue, workers and engine (the
    database and Redis URLs go in the environment, see :func:`worker_environment`)."""
    speech = settings.speech
    command = [sys.executable, "-m", "cic", "worker", "--stop-with-stdin", "--nice", "10",
               "--queue", speech.queue, "--workers", str(max(speech.workers, 1))]  # fmt: skip
    for option, key in (("--engine", "engine"), ("--model-dir", "model_dir"),
                        ("--language", "language")):  # fmt: skip
        value = speech.stt.get(key)
        if value:
            command += [option, str(value)]
    return command


def worker_environment(settings: Settings, base: dict[str, str] | None = None) -> dict[str, str]:
    """The controller's environment with its database and Redis URLs: they may hold
    passwords, and a command line is readable by every local user (``ps``). The log format
    goes along, so the worker's lines in the controller's log are written the same way."""
    env = dict(os.environ if base is None else base)
    env["CIC_DATABASE_URL"] = settings.db_url
    env["CIC_LOGGING__FORMAT"] = settings.logging.format
    if settings.redis_url:
        env["CIC_REDIS_URL"] = settings.redis_url
    return env


@dataclass
class ChildStatus:
    """What the status page shows about the worker process."""

    pid: int | None = None
    starts: int = 0
    last_exit: int | None = None
    running_since: float | None = None
    exits: list[int] = field(default_factory=list)


class WorkerChild:
    """Runs ``command`` as a child process for as long as :meth:`run` runs (see module doc)."""

    def __init__(
        self,
        command: Sequence[str],
        *,
        env: dict[str, str] | None = None,
        grace: float = 10.0,
        min_backoff: float = 1.0,
        max_backoff: float = 60.0,
        healthy_after: float = 60.0,
    ) -> None:
        """``env`` is the child's whole environment (default: the controller's)."""
        self.command = list(command)
        self.env = env
        self.grace = grace
        self.min_backoff = min_backoff
        self.max_backoff = max_backoff
        self.healthy_after = healthy_after
        self.status = ChildStatus()
        self._process: asyncio.subprocess.Process | None = None

    async def run(self) -> None:
        """Start the child, wait for it, start it again when it exits; until cancelled."""
        backoff = self.min_backoff
        try:
            while True:
                started = time.monotonic()
                try:
                    code = await self._run_once()
                except OSError as exc:  # could not even start it (a missing interpreter, ...)
                    log.error("post-call worker process could not start: %s", exc)
                    code = -1
                self.status.last_exit = code
                self.status.exits = [*self.status.exits[-9:], code]
                if time.monotonic() - started >= self.healthy_after:
                    backoff = self.min_backoff
                log.error(
                    "post-call worker process exited with %s; starting it again in %.0f s",
                    code, backoff,
                )  # fmt: skip
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, self.max_backoff)
        finally:
            await self._stop()

    async def _run_once(self) -> int:
        env = dict(os.environ if self.env is None else self.env)
        # The child's stdin is a pipe nobody writes to: it ends when this process dies,
        # which is how a ``--stop-with-stdin`` child notices a SIGKILLed controller.
        process = await asyncio.create_subprocess_exec(
            *self.command, env=env, stdin=asyncio.subprocess.PIPE
        )
        self._process = process
        self.status.pid, self.status.running_since = process.pid, time.time()
        self.status.starts += 1
        log.info("post-call worker process started (pid %d)", process.pid)
        try:
            return await process.wait()
        finally:
            self.status.pid = None
            self.status.running_since = None

    async def _stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(asyncio.shield(process.wait()), self.grace)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
        log.info("post-call worker process stopped")
