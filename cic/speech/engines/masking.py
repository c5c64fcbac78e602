"""A copy of a recording with silence outside given time spans (same length, same times).

Used to keep hold music and ringing out of an agent's transcript: the engine then hears
silence there (which its voice detection skips), while every word keeps its time in the
original file, so the review page's player still seeks to the right moment.
"""

from __future__ import annotations

import math
import wave
from collections.abc import Sequence
from pathlib import Path

from cic.speech.stt import AudioError

CHUNK_FRAMES = 8000


def _frame_ranges(spans: Sequence[tuple[float, float]], rate: int) -> list[tuple[int, int]]:
    ranges = []
    for start, end in spans:
        first = max(0, int(start * rate))
        last = int(end * rate) if math.isfinite(end) else 2**62
        if last > first:
            ranges.append((first, last))
    return ranges


def keep_only(source: Path, spans: Sequence[tuple[float, float]], target: Path) -> None:
    """Write ``target``: ``source`` (16-bit PCM WAV) with silence outside ``spans`` (seconds
    from the start; an end may be infinite). AudioError if ``source`` is not such a file."""
    try:
        reader = wave.open(str(source), "rb")
    except (OSError, EOFError, RuntimeError, wave.Error) as exc:  # RuntimeError: bad chunk sizes
        raise AudioError("Nie można odczytać nagrania.", f"{source}: {exc}") from exc
    with reader:
        width, channels, rate = reader.getsampwidth(), reader.getnchannels(), reader.getframerate()
        if width != 2:
            raise AudioError("Nie można odczytać nagrania.", f"{source}: {width * 8}-bit, not 16")
        keep = _frame_ranges(spans, rate)
        frame_bytes = width * channels
        with wave.open(str(target), "wb") as writer:
            writer.setnchannels(channels)
            writer.setsampwidth(width)
            writer.setframerate(rate)
            position = 0
            while chunk := reader.readframes(CHUNK_FRAMES):
                count = len(chunk) // frame_bytes
                out = bytearray(len(chunk))
                for first, last in keep:
                    lo, hi = max(first, position), min(last, position + count)
                    if lo < hi:
                        a, b = (lo - position) * frame_bytes, (hi - position) * frame_bytes
                        out[a:b] = chunk[a:b]
                writer.writeframes(bytes(out))
                position += count
