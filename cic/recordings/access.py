"""Keeping playback inside the recordings directory.

A call id from a URL is checked before anything else (no ``/``, ``\\``, ``..``, NUL or other
odd characters); the file to play is never built from it but read from the call's record,
and it is served only when its real location (symlinks resolved) is a regular file inside the
recordings root.
"""

from __future__ import annotations

import re
from pathlib import Path

from cic.recordings.errors import UnsafePath

CALL_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


def check_call_id(call_id: str) -> str:
    """``call_id`` if it is a plain Asterisk linkedid (``1733250000.12``); else UnsafePath."""
    if not CALL_ID.fullmatch(call_id) or ".." in call_id:
        raise UnsafePath()
    return call_id


def inside(root: Path, path: str | Path) -> Path:
    """The real path of ``path`` if it is a regular file under ``root``; else UnsafePath.

    Relative paths are taken relative to ``root``; symlinks are resolved first, so one
    pointing outside the root is refused however it is named.
    """
    real_root = root.resolve()
    candidate = Path(path)
    if not candidate.is_absolute():
        candidate = real_root / candidate
    real = candidate.resolve()
    if real == real_root or not real.is_relative_to(real_root) or not real.is_file():
        raise UnsafePath()
    return real
