"""Two advisory locks (``flock``): one backup at a time per folder, and the controller's
"I am running" lock on its state directory, which ``cic restore`` checks."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from cic.backup.errors import BackupError
from cic.private import FILE_MODE, private_dir

CONTROLLER_LOCK = "cic-controller.lock"
BACKUP_LOCK = ".cic-backup.lock"


def _open(path: Path) -> int:
    private_dir(path.parent)
    return os.open(path, os.O_RDWR | os.O_CREAT, FILE_MODE)


def _try(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


@contextmanager
def held(path: Path, busy: str) -> Iterator[None]:
    """Hold the lock at ``path`` for the block; ``BackupError(busy)`` when another has it."""
    fd = _open(path)
    try:
        if not _try(fd):
            raise BackupError(busy)
        yield
    finally:
        os.close(fd)


def backup_lock(folder: Path) -> AbstractContextManager[None]:
    """One backup at a time into ``folder``."""
    return held(
        folder / BACKUP_LOCK, "Inna kopia zapasowa jest właśnie wykonywana; spróbuj później."
    )


@contextmanager
def controller_lock(state_dir: str | Path) -> Iterator[bool]:
    """What the controller holds while it runs; yields whether it got it (another
    controller on the same state directory keeps it otherwise)."""
    try:
        fd = _open(Path(state_dir) / CONTROLLER_LOCK)
    except OSError:  # not ours to write (made by root): run, but unguarded
        yield False
        return
    try:
        yield _try(fd)
    finally:
        os.close(fd)


def controller_holds(state_dir: str | Path) -> bool:
    """True while a controller holds its lock on ``state_dir``."""
    path = Path(state_dir) / CONTROLLER_LOCK
    if not path.exists():
        return False
    fd = os.open(path, os.O_RDWR)
    try:
        return not _try(fd)
    finally:
        os.close(fd)
