"""Local files: reading one an official names on the command line (an import) whole, but only
when it is not larger than the limit, so a wrong file is refused before it fills the memory;
and writing a rendered configuration file atomically with its mode."""

from __future__ import annotations

import os
from pathlib import Path

from cic.errors import CommandError


def read_limited(path: Path, limit_bytes: int) -> bytes:
    """The file's bytes; a Polish ``CommandError`` when it cannot be read or is too big."""
    try:
        size = path.stat().st_size
        if size > limit_bytes:
            raise CommandError(
                f"Plik jest za duży ({size / 1e6:.1f} MB; najwyżej {limit_bytes / 1e6:.0f} MB)."
            )
        return path.read_bytes()
    except OSError as exc:
        raise CommandError(f"nie można odczytać pliku {path}: {exc.strerror}") from exc


def write_atomic(path: Path, text: str, mode: int) -> None:
    """Write ``text`` beside ``path`` with ``mode`` (whatever the umask), then rename it over
    ``path``: a reader sees the old file or the new one, never half of one."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        os.fchmod(fh.fileno(), mode)
        fh.write(text)
    os.replace(tmp, path)
