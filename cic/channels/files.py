"""The private store of raw messages and attachment contents, named by their SHA-256.

Writing is atomic (a temporary file renamed into place) and idempotent (the same content is
one file), so a message stored twice after a crash costs nothing and a half-written file is
never read. A full disk raises ``OSError``: the caller keeps the message in the mailbox and
tries again later.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from cic.private import FILE_MODE, private_dir

_SHA = re.compile(r"^[0-9a-f]{64}$")


class ChannelFiles:
    """Content-addressed files under ``root`` (0700 folders, 0600 files)."""

    def __init__(self, root: str | Path) -> None:
        """``root`` is made on first write."""
        self.root = Path(root)

    def path(self, sha256: str) -> Path:
        """Where content with this digest lives; ``ValueError`` for anything but a digest
        (so no name from a message can reach the file system)."""
        if not _SHA.match(sha256):
            raise ValueError("not a SHA-256 digest")
        return self.root / sha256[:2] / sha256

    def put(self, data: bytes) -> str:
        """Store ``data`` (once) and return its SHA-256."""
        digest = hashlib.sha256(data).hexdigest()
        target = self.path(digest)
        if target.exists() and target.stat().st_size == len(data):
            return digest
        folder = private_dir(target.parent)
        private_dir(self.root)
        temporary = folder / f".{digest}.{os.getpid()}.tmp"
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, target)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        return digest

    def get(self, sha256: str) -> bytes:
        """The stored content (``FileNotFoundError`` when it is not there)."""
        return self.path(sha256).read_bytes()
