"""The recordings disk full: calls go on, the failure is recorded per call and shown to the
supervisor, and recording resumes when space is back.

The instance's recordings directory is a small tmpfs made by the test and filled up; a real
call through Asterisk is answered by an agent (SIPp) and recorded into it.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cic.asterisk import provision
from cic.demo.scenarios import AgentPhone, ResidentCall
from tests.conftest import unavailable
from tests.integration.harness import Harness
from tests.integration.test_calls import speech  # noqa: F401 - the fixture


@contextlib.contextmanager
def small_disk(folder: Path, size: str = "4M") -> Iterator[Path]:
    """``folder`` replaced by a tmpfs of ``size`` with the same owner and mode."""
    stat = folder.stat()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                          capture_output=True, text=True, check=False)  # fmt: skip
    if done.returncode != 0:
        unavailable(f"cannot mount a tmpfs (root needed): {done.stderr.strip()}")
    try:
        os.chown(folder, stat.st_uid, stat.st_gid)
        os.chmod(folder, stat.st_mode & 0o7777)
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(folder: Path) -> Path:
    """Fill the disk under ``folder`` to the last byte."""
    filler = folder / "filler.bin"
    with filler.open("wb", buffering=0) as out:
        for block in (65536, 4096, 1):
            with contextlib.suppress(OSError):
                while True:
                    out.write(b"\0" * block)
    return filler


def _types(call: dict[str, Any]) -> list[str]:
    return [e["type"] for e in call["timeline"]]


def test_a_full_recordings_disk_loses_no_call(tmp_path: Path, speech: str) -> None:  # noqa: F811
    h = Harness.create(tmp_path / "state", CIC_OFFICE__RECORDING_POLICY="always",
                       CIC_SPEECH__ENABLED="false")  # fmt: skip
    layout = provision.locate(h.settings)
    try:
        with small_disk(layout.host(layout.recordings)) as disk:
            h.start_controller()
            h.login("pelny", AgentPhone(ring_ms=1000), calls=2)
            filler = fill(disk)
            resident = ResidentCall(number="48500100661", hangup_after_ms=9000)
            call = h.complete_call(resident, lambda c: "RecordingFailed" in _types(c), 40)
            assert call["outcome"] == "answered" and call["ended_at"]  # the call went on
            [failed] = [e for e in call["timeline"] if e["type"] == "RecordingFailed"]
            assert failed["data"]["reason"] in ("missing", "empty", "short"), failed
            assert "Brak miejsca na dysku nagrań" in failed["data"]["detail"]
            status = h.api("GET", "/api/status")
            assert status["recordings"]["failed_since_start"] == 1
            assert status["recordings"]["last_failure"]["call_id"] == call["call_id"]
            assert status["recordings"]["disk_free_bytes"] < 1 << 20

            filler.unlink()  # space is back
            resident = ResidentCall(number="48500100662", audio_pcap=speech, audio_after_ms=3000,
                                    hangup_after_ms=9000)  # fmt: skip
            again = h.complete_call(resident, lambda c: bool(c["ended_at"] and c["recordings"]), 40)
            assert "RecordingFailed" not in _types(again)
            [recording] = again["recordings"]
            assert recording["duration_seconds"] > 1  # the frames while audio flowed
            assert Path(recording["path"]).stat().st_size > 44 + 8000
            assert h.api("GET", "/api/status")["recordings"]["failed_since_start"] == 1
            h.stop_controller()
    finally:
        h.close()


pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tmpfs needs root")
