"""Facts about a recording file: size, duration and SHA-256.

Asterisk's MixMonitor finishes writing (and fixes the WAV header) a moment after hangup, so
``inspect`` first waits, bounded, until the file size stops changing.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
import wave
from dataclasses import dataclass
from pathlib import Path

from cic.calls.errors import RecordingFileMissing

log = logging.getLogger(__name__)

SLIN_BYTES_PER_SECOND = 16000  # 8 kHz, 16-bit, mono
GSM_BYTES_PER_SECOND = 1650  # 33-byte frames, 50 per second


@dataclass(frozen=True)
class RecordingInfo:
    """Size in bytes, duration in seconds and hex SHA-256 of a recording file."""

    bytes: int
    duration_seconds: float
    sha256: str


def _size(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return None


async def wait_until_stable(path: Path, *, settle: float = 5.0, interval: float = 0.25) -> int:
    """Wait until ``path`` exists and its size is the same on two looks ``interval`` apart.

    Gives up after ``settle`` seconds: a file still growing is used as it is (and logged);
    a file that never appeared raises ``RecordingFileMissing``.
    """
    deadline = time.monotonic() + settle
    previous = _size(path)
    while True:
        if time.monotonic() >= deadline:
            if previous is None:
                raise RecordingFileMissing(str(path))
            log.warning("recording %s still growing after %.1f s; using it as is", path, settle)
            return previous
        await asyncio.sleep(interval)
        current = _size(path)
        if current is not None and current == previous:
            return current
        previous = current


def _duration(path: Path, size: int) -> float:
    if path.suffix.lower() == ".gsm":
        return size / GSM_BYTES_PER_SECOND
    try:
        with wave.open(str(path), "rb") as wav:
            rate = wav.getframerate()
            frames = wav.getnframes()
            frame_bytes = wav.getsampwidth() * wav.getnchannels()
    except (wave.Error, EOFError, OSError):
        return size / SLIN_BYTES_PER_SECOND
    if rate <= 0:
        return size / SLIN_BYTES_PER_SECOND
    if frames == 0 and size > 44 and frame_bytes > 0:
        # Header not finalised (writer killed): estimate from the data after a 44-byte header.
        return (size - 44) / frame_bytes / rate
    return frames / rate


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def inspect_now(path: str | Path) -> RecordingInfo:
    """Size, duration and hash of ``path`` as it is now (blocking; no waiting)."""
    path = Path(path)
    size = _size(path)
    if size is None:
        raise RecordingFileMissing(str(path))
    try:
        sha256 = _sha256(path)
    except FileNotFoundError:
        raise RecordingFileMissing(str(path)) from None
    return RecordingInfo(bytes=size, duration_seconds=_duration(path, size), sha256=sha256)


async def inspect(
    path: str | Path, *, settle_timeout: float = 5.0, interval: float = 0.25
) -> RecordingInfo:
    """Wait (at most ``settle_timeout`` s) for the file to stop growing, then describe it.

    Raises ``RecordingFileMissing`` if the file does not exist by then.
    """
    path = Path(path)
    await wait_until_stable(path, settle=settle_timeout, interval=interval)
    return await asyncio.to_thread(inspect_now, path)
