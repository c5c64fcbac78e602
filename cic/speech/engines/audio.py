"""Reading recordings for the engines: a header probe and a chunked 16-bit PCM stream, via sox.

sox converts whatever the recording is (8 kHz WAV from Asterisk, stereo or mono) into raw
16-bit mono samples at the engine's rate, picking one channel when asked; the engines read its
output a block at a time, so memory does not grow with the length of the call.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path

from cic.speech.stt import AudioError, EngineUnavailable

SAMPLE_BYTES = 2


@dataclass(frozen=True, slots=True)
class AudioInfo:
    """What the file's header says: channels, sample rate and samples per channel."""

    channels: int
    rate: int
    samples: int

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return self.samples / self.rate if self.rate else 0.0


def _sox() -> str:
    sox = shutil.which("sox")
    if sox is None:
        raise EngineUnavailable(
            "Brak programu sox potrzebnego do odczytu nagrań.", "sox is not on PATH"
        )
    return sox


def probe(path: Path) -> AudioInfo:
    """The recording's format; AudioError for a missing, empty, sample-less or non-audio file."""
    if not path.is_file():
        raise AudioError("Plik nagrania nie istnieje.", f"no such file: {path}")
    if path.stat().st_size == 0:
        raise AudioError("Plik nagrania jest pusty.", f"{path.name} has 0 bytes")
    done = subprocess.run(
        [_sox(), "--i", str(path.absolute())],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    if done.returncode != 0:
        raise AudioError(
            "Plik nie jest nagraniem dźwiękowym albo jest uszkodzony.",
            f"sox cannot read {path.name}: {done.stderr.strip()}",
        )
    channels = re.search(r"^Channels\s*:\s*(\d+)", done.stdout, re.M)
    rate = re.search(r"^Sample Rate\s*:\s*(\d+)", done.stdout, re.M)
    samples = re.search(r"^Duration\s*:.*=\s*(\d+) samples", done.stdout, re.M)
    if channels is None or rate is None:
        raise AudioError(
            "Plik nie jest nagraniem dźwiękowym albo jest uszkodzony.",
            f"sox gives no format for {path.name}",
        )
    info = AudioInfo(
        int(channels.group(1)), int(rate.group(1)), int(samples.group(1) if samples else 0)
    )
    if info.samples == 0:
        raise AudioError("Nagranie nie zawiera dźwięku.", f"{path.name} has no samples")
    return info


def pcm_blocks(
    path: Path, *, rate: int, channel: int | None, block_seconds: float
) -> Generator[bytes, None, None]:
    """Signed 16-bit little-endian mono PCM at ``rate``, ``block_seconds`` at a time.

    ``channel`` (0-based) keeps one channel; None mixes all channels down to one.
    """
    info = probe(path)
    if channel is not None and not 0 <= channel < info.channels:
        raise AudioError(
            "Nagranie nie ma takiego kanału.",
            f"channel {channel} asked, {path.name} has {info.channels}",
        )
    # A block never exceeds the whole file (plus a second): "one block" means the whole file.
    whole = (int(info.duration * rate) + rate) * SAMPLE_BYTES
    block = max(SAMPLE_BYTES, min(int(rate * block_seconds) * SAMPLE_BYTES, whole))
    command = [
        _sox(),
        "-V1",
        "-D",
        str(path.absolute()),
        "-t",
        "raw",
        "-e",
        "signed-integer",
        "-b",
        "16",
    ]
    command += ["-L", "-c", "1", "-r", str(rate), "-"]
    if channel is not None:
        command += ["remix", str(channel + 1)]
    proc = subprocess.Popen(
        command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    if proc.stdout is None or proc.stderr is None:  # pragma: no cover - PIPE always gives both
        raise AudioError("Nie udało się uruchomić sox.", "sox started without pipes")
    try:
        while chunk := proc.stdout.read(block):
            yield chunk
        errors = proc.stderr.read().decode(errors="replace").strip()
        if proc.wait() != 0:
            raise AudioError(
                "Nie udało się zdekodować nagrania.", f"sox failed on {path.name}: {errors}"
            )
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()
