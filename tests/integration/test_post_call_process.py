"""The real controller (``cic serve``) transcribes in a child process it keeps alive.

Transcription is CPU-bound for seconds per call; in the controller it delayed routing. With
the default ``speech.worker_process`` the controller starts ``python -m cic worker`` as
its child: a recording waiting at start-up is transcribed there (real Vosk engine, Korean
espeak-ng speech), and a child killed with SIGKILL is started again.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cic.calls.models import Call, Recording
from cic.db import Store, migrate
from cic.errors import CommandError
from cic.postcall.models import PostCallJob
from cic.recordings.models import CallTranscript
from tests.integration.harness import Harness
from tests.integration.test_recordings_worker_kill import (  # noqa: F401 - fixtures
    CALL,
    _lay_out,
    model_dir,
    speech,
)


def _children(pid: int) -> list[int]:
    """Pids of ``cic worker`` processes whose parent is ``pid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == pid and command[1:4] == [b"-m", b"cic", b"worker"]:
            found.append(int(entry.name))
    return found


def test_the_controller_transcribes_in_a_child_it_restarts(
    tmp_path: Path,
    model_dir: Path,  # noqa: F811
    speech: dict[str, Path],  # noqa: F811
) -> None:
    root = tmp_path / "recordings"
    mixed = _lay_out(root, speech)
    h = Harness.create(
        tmp_path / "state", CIC_SPEECH__RECORDINGS_ROOT=str(root),
        CIC_SPEECH__STT__ENGINE="vosk", CIC_SPEECH__STT__MODEL_DIR=str(model_dir),
        CIC_SPEECH__STT__LANGUAGE="ko", CIC_SPEECH__POLL_SECONDS="1",
    )  # fmt: skip
    try:
        migrate(h.settings.db_url)
        store = Store(h.settings.db_url)

        def recorded(session: Session) -> None:
            session.add(Call(call_id=CALL, caller_number="48500100999"))
            session.flush()
            session.add(Recording(call_id=CALL, path=str(mixed), kind="call", bytes=1,
                                  duration_seconds=1.0, sha256="0" * 64))  # fmt: skip

        store.run_sync(recorded)  # a recording waiting when the controller starts
        h.start_controller()
        assert h.controller is not None
        controller = h.controller.pid
        h.wait_for(lambda: len(_children(controller)) == 1, 20, "the worker child started")
        [first] = _children(controller)
        os.kill(first, signal.SIGKILL)
        h.wait_for(
            lambda: _children(controller) not in ([], [first]), 20, "the worker child restarted"
        )
        [second] = _children(controller)
        assert second != first

        def job_status() -> str:
            return str(store.run_sync(lambda s: s.scalars(select(PostCallJob.status)).one()))

        h.wait_for(lambda: job_status() == "done", 180, "the call transcribed by the child")
        status = h.api("GET", "/api/status?last=5")
        assert status["post_call"]["worker_process"]["pid"] == second
        assert status["post_call"]["worker_process"]["starts"] == 2
        assert status["post_call"]["worker_process"]["last_exit"] == -signal.SIGKILL
        h.wait_for(
            lambda: (h.api("GET", "/api/status")["post_call"]["backlog"] or {}).get("queued") == 0,
            30, "the backlog seen empty",
        )  # fmt: skip
        with pytest.raises(CommandError, match="400"):
            h.api("GET", "/api/status?last=0")
        transcript = store.run_sync(lambda s: s.scalars(select(CallTranscript)).one().as_dict())
        assert transcript["call_id"] == CALL and transcript["text"]
        # The controller itself never loaded the engine: no Vosk in its memory maps.
        maps = Path(f"/proc/{controller}/maps").read_text()
        assert "vosk" not in maps.lower()
        h.stop_controller()  # and with it the child
        deadline = time.monotonic() + 15
        while Path(f"/proc/{second}").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not Path(f"/proc/{second}").exists()
    finally:
        h.close()
