"""A zip archive written entry by entry: JSON and text from memory, audio files streamed in
chunks, each entry's SHA-256 noted, and a size limit checked as it grows.

Entry names are built by cic (never taken from a path or a request) and checked anyway: only
ASCII letters, digits, ``.``, ``_``, ``-`` and ``/`` between parts, no ``..``.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from cic.privacy.errors import ExportTooLarge

CHUNK = 1 << 20
NAME = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$")
SUMS = "sumy-kontrolne.sha256"


@dataclass(frozen=True)
class Entry:
    """One file of the archive: its name, what it is (Polish), size and SHA-256."""

    name: str
    description: str
    bytes: int
    sha256: str

    def as_dict(self) -> dict[str, Any]:
        """The entry as JSON (for the summary)."""
        return {"plik": self.name, "opis": self.description, "bajty": self.bytes,
                "sha256": self.sha256}  # fmt: skip


def check_name(name: str) -> str:
    """``name`` if it is a safe entry name, else ``ValueError`` (a bug in cic, not input)."""
    if not NAME.fullmatch(name) or ".." in name or len(name) > 200:
        raise ValueError(f"unsafe archive entry name: {name!r}")
    return name


def too_large(limit: int) -> ExportTooLarge:
    """The Polish refusal for an archive over ``limit`` bytes."""
    return ExportTooLarge(
        f"Archiwum byłoby większe niż {limit // (1 << 20)} MB (privacy.export_max_mb). Wykonaj"
        " eksport na serwerze poleceniem: cic privacy export NUMER --out PLIK.zip"
    )


class ArchiveWriter:
    """Writes the archive to ``target`` (a binary file); ``limit`` bounds the stored bytes."""

    def __init__(self, target: IO[bytes], limit: int | None = None) -> None:
        """Open the zip for writing (ZIP64, so large recordings fit)."""
        self.zip = zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True)
        self.limit = limit
        self.total = 0
        self.entries: list[Entry] = []
        self.stamp = time.localtime()[:6]

    def _info(self, name: str) -> zipfile.ZipInfo:
        if any(e.name == name for e in self.entries):
            raise ValueError(f"duplicate archive entry: {name!r}")
        info = zipfile.ZipInfo(check_name(name), date_time=self.stamp)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o600 << 16
        return info

    def _count(self, size: int) -> None:
        self.total += size
        if self.limit is not None and self.total > self.limit:
            raise too_large(self.limit)

    def add_bytes(self, name: str, data: bytes, description: str) -> Entry:
        """Store ``data`` as ``name``."""
        self._count(len(data))
        self.zip.writestr(self._info(name), data)
        entry = Entry(name, description, len(data), hashlib.sha256(data).hexdigest())
        self.entries.append(entry)
        return entry

    def add_json(self, name: str, data: Any, description: str) -> Entry:
        """Store ``data`` as indented UTF-8 JSON (Polish letters kept as they are)."""
        text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n"
        return self.add_bytes(name, text.encode("utf-8"), description)

    def add_file(self, name: str, path: Path, description: str) -> Entry:
        """Copy the file at ``path`` in chunks (never whole into memory)."""
        digest = hashlib.sha256()
        size = 0
        with (
            path.open("rb") as source,
            self.zip.open(self._info(name), "w", force_zip64=True) as out,
        ):
            for chunk in iter(lambda: source.read(CHUNK), b""):
                self._count(len(chunk))
                digest.update(chunk)
                out.write(chunk)
                size += len(chunk)
        entry = Entry(name, description, size, digest.hexdigest())
        self.entries.append(entry)
        return entry

    def close(self) -> None:
        """Write the checksum list (``sha256sum -c`` reads it) and finish the zip."""
        lines = "".join(f"{e.sha256}  {e.name}\n" for e in self.entries)
        self.zip.writestr(self._info(SUMS), lines.encode("utf-8"))
        self.zip.close()

    def abort(self) -> None:
        """Close without the checksum list (the caller deletes the half-written file)."""
        self.zip.close()
