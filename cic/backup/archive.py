"""The archive file: written under a temporary name and renamed when complete; read only
after every member's name, type, size and SHA-256 has been checked against the manifest.

A plain (uncompressed) tar in the POSIX format: recordings hardly compress, and any ``tar``
can list and unpack it by hand. Members are regular files only, named relative to the
archive (``database/…``, ``recordings/…``, ``state/…``, ``config/…``), 0600 inside the tar.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import json
import os
import secrets
import tarfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any, Protocol

from cic.backup.errors import ArchiveRefused, BackupError
from cic.backup.models import (
    FORMAT,
    FORMAT_VERSION,
    KIND_FOLDERS,
    MANIFEST,
    MANIFEST_SUM,
    Manifest,
    Member,
    MemberKind,
)

ARCHIVE_MODE = 0o600
CHUNK = 1 << 20
MANIFEST_LIMIT = 64 << 20


class _Hashing:
    """A file reader that hashes what passes through it (tarfile copies from it)."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.digest = hashlib.sha256()
        self.count = 0

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.digest.update(data)
        self.count += len(data)
        return data


def safe_name(name: str) -> bool:
    """True for a member name cic writes: relative, no ``..`` or empty parts, printable, under
    one of the known folders (or the manifest itself)."""
    if name in (MANIFEST, MANIFEST_SUM):
        return True
    if not name or not name.isprintable() or "\\" in name or name.startswith("/"):
        return False
    parts = PurePosixPath(name).parts
    if len(parts) < 2 or any(p in ("", ".", "..") for p in parts) or "//" in name:
        return False
    return parts[0] in KIND_FOLDERS.values()


def disk_error(exc: OSError, where: Path) -> BackupError:
    """A Polish error for a failed write: a full disk said plainly."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return BackupError(f"Brak miejsca na dysku w {where}; niedokończonego archiwum nie ma.")
    return BackupError(f"Nie można zapisać archiwum w {where}: {exc.strerror or exc}.")


class ArchiveWriter:
    """Builds ``final`` under a hidden temporary name in the same folder; ``finish`` adds the
    manifest and renames, ``abort`` (or any error) removes the temporary file."""

    def __init__(self, final: Path) -> None:
        """Open the temporary file (0600, created afresh)."""
        self.final = final
        self.temp = final.with_name(f".{final.name}.{secrets.token_hex(4)}.tmp")
        self.members: list[Member] = []
        try:
            fd = os.open(self.temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, ARCHIVE_MODE)
        except OSError as exc:
            raise disk_error(exc, final.parent) from exc
        os.fchmod(fd, ARCHIVE_MODE)
        self._file = os.fdopen(fd, "wb")
        self._tar = tarfile.open(fileobj=self._file, mode="w", format=tarfile.PAX_FORMAT)

    def add_file(self, name: str, path: Path, kind: MemberKind, source: str = "") -> Member:
        """Copy ``path`` in as ``name``, hashing it on the way (what is in the archive is what
        is hashed, even if the file changes meanwhile). OSError when it cannot be read."""
        with path.open("rb") as raw:
            stat = os.fstat(raw.fileno())
            info = self._info(name, stat.st_size, stat.st_mtime)
            reader = _Hashing(raw)
            self._write(info, reader)
        member = Member(name, kind, reader.count, reader.digest.hexdigest(),
                        mode=stat.st_mode & 0o7777, source=source)  # fmt: skip
        self.members.append(member)
        return member

    def finish(self, manifest: Manifest) -> Path:
        """Add the manifest (with every member) and its checksum, flush to disk, rename."""
        manifest.members = list(self.members)
        data = json.dumps(manifest.to_dict(), ensure_ascii=False, indent=1).encode("utf-8")
        self._add_bytes(MANIFEST, data)
        self._add_bytes(MANIFEST_SUM, hashlib.sha256(data).hexdigest().encode("ascii") + b"\n")
        try:
            self._tar.close()
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
            os.replace(self.temp, self.final)
            _fsync_dir(self.final.parent)
        except OSError as exc:
            self.abort()
            raise disk_error(exc, self.final.parent) from exc
        return self.final

    def abort(self) -> None:
        """Close and remove the temporary file (nothing half-written is left)."""
        with contextlib.suppress(Exception):
            self._tar.close()
        with contextlib.suppress(Exception):
            self._file.close()
        self.temp.unlink(missing_ok=True)

    def _add_bytes(self, name: str, data: bytes) -> None:
        self._write(self._info(name, len(data), None), io.BytesIO(data))

    def _info(self, name: str, size: int, mtime: float | None) -> tarfile.TarInfo:
        if not safe_name(name):
            raise BackupError(f"Niedozwolona nazwa w archiwum: {name!r}.")
        info = tarfile.TarInfo(name)
        info.size, info.mode = size, ARCHIVE_MODE
        info.mtime = int(time.time() if mtime is None else mtime)
        return info

    def _write(self, info: tarfile.TarInfo, reader: Any) -> None:
        try:
            self._tar.addfile(info, reader)
        except OSError as exc:
            if exc.errno is None:  # tarfile's "unexpected end of data": the file shrank
                raise
            raise disk_error(exc, self.final.parent) from exc


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@dataclass(frozen=True)
class Verified:
    """An archive whose every member was checked; ``manifest`` is what it holds."""

    path: Path
    manifest: Manifest


def _refused(text: str) -> ArchiveRefused:
    return ArchiveRefused(f"{text} Nic nie odtworzono.")


def _check_info(info: tarfile.TarInfo, seen: set[str]) -> None:
    if not safe_name(info.name):
        raise _refused(f"Archiwum zawiera niedozwoloną ścieżkę {info.name!r}.")
    if not info.isreg():
        raise _refused(
            f"Archiwum zawiera {info.name!r}, który nie jest zwykłym plikiem (dowiązanie?)."
        )
    if info.name in seen:
        raise _refused(f"Archiwum zawiera {info.name!r} dwa razy.")
    seen.add(info.name)


class Readable(Protocol):
    """What a member's content is read through."""

    def read(self, size: int = -1, /) -> bytes | None:
        """Up to ``size`` bytes (all with -1); empty at the end."""
        ...


class _Guarded(io.RawIOBase):
    """A member's reader whose read errors (the archive ends mid-file) become refusals."""

    def __init__(self, raw: IO[bytes], path: Path) -> None:
        super().__init__()
        self.raw, self.path = raw, path

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        try:
            return self.raw.read(size)
        except (tarfile.TarError, EOFError, OSError) as exc:
            raise _refused(f"Archiwum {self.path} jest ucięte lub uszkodzone ({exc}).") from exc

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def members(path: Path) -> Iterator[tuple[tarfile.TarInfo, Readable]]:
    """Every member of the archive with a reader of its content, each name and type checked
    first; a damaged or cut-short archive raises ``ArchiveRefused``."""
    seen: set[str] = set()
    try:
        with tarfile.open(path, mode="r:") as tar:
            for info in tar:
                _check_info(info, seen)
                reader = tar.extractfile(info)
                if reader is None:
                    raise _refused(f"Nie można odczytać {info.name!r}.")
                yield info, _Guarded(reader, path)
    except (tarfile.TarError, EOFError) as exc:
        raise _refused(f"Archiwum {path} jest ucięte lub uszkodzone ({exc}).") from exc
    except OSError as exc:
        raise _refused(f"Nie można odczytać archiwum {path}: {exc.strerror or exc}.") from exc


def copy_hashed(reader: Readable, out: IO[bytes] | None = None) -> tuple[int, str]:
    """Read ``reader`` to its end (into ``out`` when given); its size and SHA-256."""
    digest, size = hashlib.sha256(), 0
    while chunk := reader.read(CHUNK) or b"":
        digest.update(chunk)
        size += len(chunk)
        if out is not None:
            out.write(chunk)
    return size, digest.hexdigest()


def verify(path: Path) -> Verified:
    """Read the whole archive once: names and types, the manifest and its checksum, and every
    member's size and SHA-256 against the manifest. ``ArchiveRefused`` names what is wrong."""
    found: dict[str, tuple[int, str]] = {}
    manifest_data = manifest_sum = b""
    for info, reader in members(path):
        if info.name in (MANIFEST, MANIFEST_SUM):
            if info.size > MANIFEST_LIMIT:
                raise _refused(f"{info.name} jest za duży.")
            data = reader.read() or b""
            if info.name == MANIFEST:
                manifest_data = data
            else:
                manifest_sum = data
            continue
        found[info.name] = copy_hashed(reader)
    if not manifest_data or not manifest_sum:
        raise _refused("Archiwum nie ma spisu zawartości (manifest.json): ucięte albo nie z cic.")
    if hashlib.sha256(manifest_data).hexdigest() != manifest_sum.decode("ascii", "replace").strip():
        raise _refused("Spis zawartości (manifest.json) nie zgadza się ze swoją sumą kontrolną.")
    manifest = _parse(manifest_data)
    listed = {m.name: m for m in manifest.members}
    if set(listed) != set(found):
        odd = sorted(set(listed) ^ set(found))[:3]
        raise _refused(f"Zawartość archiwum nie zgadza się ze spisem (np. {', '.join(odd)}).")
    for name, (size, digest) in found.items():
        member = listed[name]
        if size != member.size or digest != member.sha256:
            raise _refused(
                f"Suma kontrolna {name} nie zgadza się: archiwum zmienione lub uszkodzone."
            )
    return Verified(path, manifest)


def _parse(data: bytes) -> Manifest:
    try:
        raw = json.loads(data.decode("utf-8"))
        if raw.get("format") != FORMAT:
            raise _refused("To nie jest archiwum kopii zapasowej cic.")
        if raw.get("format_version") != FORMAT_VERSION:
            raise _refused(
                f"Wersja formatu archiwum {raw.get('format_version')!r} jest nieznana tej wersji"
                f" cic (zna {FORMAT_VERSION})."
            )
        manifest = Manifest.from_dict(raw)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise _refused(f"Spis zawartości archiwum jest nieczytelny ({exc}).") from exc
    for member in manifest.members:
        if not safe_name(member.name) or KIND_FOLDERS.get(member.kind) != member.name.split("/")[0]:
            raise _refused(f"Spis zawartości zawiera niedozwoloną ścieżkę {member.name!r}.")
    return manifest
