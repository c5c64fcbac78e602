"""A recording file for a seeded call: seconds of a 440 Hz tone, written with sox where the
controller under test keeps its recordings (so the real playback endpoint serves it)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from cic.asterisk import provision
from tests.integration.harness import Harness


def tone_recording(h: Harness, call_id: str, seconds: int, day: str = "2026/12/03") -> Path:
    """``<recordings>/<day>/<call_id>.wav``, ``seconds`` long (8 kHz mono, quiet)."""
    layout = provision.locate(h.settings)
    folder = layout.host(layout.recordings).joinpath(*day.split("/"))
    folder.mkdir(parents=True, exist_ok=True)
    wav = folder / f"{call_id}.wav"
    subprocess.run(["sox", "-n", "-r", "8000", "-c", "1", "-b", "16", str(wav), "synth",
                    str(seconds), "sine", "440", "vol", "0.1"], check=True)  # fmt: skip
    return wav
