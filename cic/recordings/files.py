"""How a call's recording lies on disk: the mixed file and, next to it, one file per speaker.

MixMonitor ``r()`` (heard from the resident) and ``t()`` (sent to them: the agent) files lie
next to the mixed ``<call id>.wav`` as ``<call id>-resident.wav`` / ``-agent.wav``. The
post-call pipeline transcribes them; retention and erasure delete them with the mixed file.
"""

from __future__ import annotations

from pathlib import Path

from cic.speech.models import Speaker

SPEAKER_SUFFIX: dict[Speaker, str] = {"resident": "-resident", "agent": "-agent"}
"""The per-speaker files' suffixes after the mixed file's stem."""


def speaker_files(mixed: Path) -> dict[Speaker, Path]:
    """The per-speaker files next to ``mixed``; empty unless both exist and are non-empty."""
    found: dict[Speaker, Path] = {}
    for speaker, suffix in SPEAKER_SUFFIX.items():
        path = mixed.with_name(mixed.stem + suffix + mixed.suffix)
        if path.is_file() and path.stat().st_size > 44:
            found[speaker] = path
    return found if len(found) == len(SPEAKER_SUFFIX) else {}


def siblings(mixed: Path) -> list[str]:
    """The per-speaker files MixMonitor writes next to a mixed recording."""
    return [str(mixed.with_name(mixed.stem + s + mixed.suffix)) for s in SPEAKER_SUFFIX.values()]
