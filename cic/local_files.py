"""Reading a file an official names on the command line (an import): whole, but only when it
is not larger than the limit, so a wrong file is refused before it fills the memory."""

from __future__ import annotations

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
