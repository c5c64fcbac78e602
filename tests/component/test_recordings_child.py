"""The post-call worker child process: started with the controller's settings, started again
when it dies, stopped (SIGTERM, then SIGKILL) with the controller."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from cic.config import Settings, SpeechSettings
from cic.db import migrate
from cic.postcall.child import WorkerChild, worker_command, worker_environment


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


async def _until(check: object, what: str) -> None:
    for _ in range(300):
        if check():  # type: ignore[operator]
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"not within 6 s: {what}")


def test_the_command_carries_the_controllers_settings() -> None:
    settings = Settings(
        database_url="postgresql://cic:tajne@127.0.0.1/cic", redis_url="redis://127.0.0.1:6379/0",
        speech=SpeechSettings(workers=3, queue="redis",
                              stt={"engine": "whisper", "model_dir": "/srv/m", "language": "pl"}),
    )  # fmt: skip
    command = worker_command(settings)
    assert command[:5] == [sys.executable, "-m", "cic", "worker", "--stop-with-stdin"]
    pairs = dict(zip(command[5::2], command[6::2], strict=True))
    assert pairs == {"--nice": "10", "--queue": "redis", "--workers": "3", "--engine": "whisper",
                     "--model-dir": "/srv/m", "--language": "pl"}  # fmt: skip
    assert not any("tajne" in part for part in command)  # a password never on a command line
    env = worker_environment(settings, {"CIC_STATE_DIR": "/var/lib/cic"})
    assert env == {"CIC_STATE_DIR": "/var/lib/cic",
                   "CIC_DATABASE_URL": "postgresql://cic:tajne@127.0.0.1/cic",
                   "CIC_REDIS_URL": "redis://127.0.0.1:6379/0",
                   "CIC_LOGGING__FORMAT": "text"}  # fmt: skip
    embedded = Settings(state_dir="/srv/cic", speech=SpeechSettings(workers=0))
    assert worker_command(embedded)[-2:] == ["--workers", "1"]
    assert worker_environment(embedded, {}) == {"CIC_DATABASE_URL": "sqlite:////srv/cic/cic.db",
                                                 "CIC_LOGGING__FORMAT": "text"}  # fmt: skip


async def test_a_child_that_cannot_start_is_tried_again() -> None:
    child = WorkerChild(["/nonexistent/python", "-m", "cic", "worker"], min_backoff=0.05)
    runner = asyncio.create_task(child.run())
    try:
        await _until(lambda: len(child.status.exits) >= 2, "two failed starts")
        assert child.status.exits[:2] == [-1, -1] and not runner.done()
    finally:
        runner.cancel()
        await asyncio.gather(runner, return_exceptions=True)


async def test_a_child_that_dies_is_started_again() -> None:
    child = WorkerChild([sys.executable, "-c", "raise SystemExit(3)"], min_backoff=0.05)
    runner = asyncio.create_task(child.run())
    try:
        await _until(lambda: child.status.starts >= 3, "three starts")
        assert child.status.last_exit == 3 and set(child.status.exits) == {3}
    finally:
        runner.cancel()
        await asyncio.gather(runner, return_exceptions=True)


async def test_stopping_terminates_the_child_and_kills_one_that_ignores_it(
    tmp_path: Path,
) -> None:
    for code, graceful in (
        ("import time; time.sleep(60)", True),
        ("import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
         "open(r'{ready}', 'w').close(); time.sleep(60)", False),
    ):  # fmt: skip
        ready = tmp_path / f"ready-{graceful}"
        script = code.format(ready=ready)
        child = WorkerChild([sys.executable, "-c", script], grace=0.5)
        runner = asyncio.create_task(child.run())
        await _until(lambda c=child: c.status.pid is not None, "started")
        pid = child.status.pid
        assert pid is not None and _alive(pid)
        if not graceful:
            await _until(lambda r=ready: r.exists(), "SIGTERM ignored")
        runner.cancel()
        await asyncio.gather(runner, return_exceptions=True)
        assert not _alive(pid), graceful


# A parent that starts the worker the way WorkerChild does (stdin a pipe it never writes),
# prints the worker's pid and then sleeps, to be killed with SIGKILL by the test.
PARENT = """
import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-m", "cic", "worker", "--stop-with-stdin",
                          "--database-url", sys.argv[1], "--poll-seconds", "1"],
                         stdin=subprocess.PIPE)
print(child.pid, flush=True)
time.sleep(600)
"""


def test_the_worker_stops_when_its_parent_is_killed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cic.db'}"
    migrate(url)
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, url], stdout=subprocess.PIPE, text=True,
        env={**os.environ, "CIC_STATE_DIR": str(tmp_path)},
    )  # fmt: skip
    assert parent.stdout is not None
    worker = int(parent.stdout.readline())
    try:
        _until_polling(worker, tmp_path / "cic.db")  # up and polling, not failing at start
        assert _alive(worker) and parent.poll() is None
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + 20
        while _zombie_or_gone(worker) is False and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _zombie_or_gone(worker), "the orphaned worker kept running"
    finally:
        if not _zombie_or_gone(worker):
            os.kill(worker, signal.SIGKILL)


def _until_polling(pid: int, database: Path, limit: float = 30.0) -> None:
    """Wait until the worker has the database open (it polls it for jobs)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            links = [os.readlink(f) for f in Path(f"/proc/{pid}/fd").iterdir()]
        except OSError:  # it ended, or an fd closed while listing
            links = []
        if str(database) in links:
            return
        assert _alive(pid), "the worker ended at start"
        time.sleep(0.05)
    raise AssertionError(f"the worker did not open {database} within {limit} s")


def _zombie_or_gone(pid: int) -> bool:
    """True once ``pid`` has exited (an orphan is reaped by init, or waits as a zombie)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    return state in ("Z", "X")
