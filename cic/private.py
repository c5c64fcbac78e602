"""Files that hold personal data or secrets stay private to the service's own user.

Every cic process runs with ``UMASK`` (027: nothing for others); the state directory is 0700,
and the database (with its WAL and shared-memory files), logs, pid files and secrets are 0600,
also when an older install left them readable.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO

UMASK = 0o027
DIR_MODE = 0o700
FILE_MODE = 0o600
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


def private_dir(path: str | Path) -> Path:
    """Create ``path`` (and parents) if missing and make it 0700."""
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    os.chmod(folder, DIR_MODE)
    return folder


def private_file(path: str | Path) -> Path:
    """Create ``path`` empty if missing; either way make it 0600."""
    target = Path(path)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
    finally:
        os.close(fd)
    return target


def private_database(path: str | Path) -> None:
    """A SQLite file and the companions SQLite makes beside it (with the file's mode) 0600."""
    target = private_file(path)
    for suffix in SQLITE_COMPANIONS:
        companion = target.with_name(target.name + suffix)
        if companion.exists():
            os.chmod(companion, FILE_MODE)


def open_private_log(path: str | Path) -> BinaryIO:
    """``path`` opened for appending, 0600 (made so if it was readable before)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE)
    os.fchmod(fd, FILE_MODE)
    return os.fdopen(fd, "ab")


def write_private(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` as a 0600 file (pid files and the like)."""
    with open_private_log(path) as handle:
        handle.truncate(0)
        handle.write(text.encode("utf-8"))
