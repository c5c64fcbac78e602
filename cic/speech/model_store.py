"""Installing a speech model an office chose: fetched, verified, unpacked, checked, switched.

Layout of a models directory (``<state_dir>/models/<engine>`` by default)::

    whisper-medium-3f2a9c1e/      one directory per installed model: <name>-<sha256[:8]>
    whisper-base-0b1c2d3e/
    current -> whisper-medium-3f2a9c1e    the model in use (set speech.stt.model_dir to it)
    previous -> whisper-base-0b1c2d3e     the one before, for going back by hand

Nothing the engines read changes until the very end: the source is copied or downloaded into
a staging directory beside the models (``.install-*``), hashed on the way and compared with
the SHA-256 the office was given, unpacked there with every member checked (no absolute paths,
no ``..``, no links, no devices, a size limit), checked with the engine's own model check,
moved into place and only then ``current`` is replaced by a new link in one ``rename``. Any
failure (wrong checksum, a download cut short, a damaged archive, a directory that holds no
model, Ctrl-C) removes the staging directory and leaves ``current`` as it was.

A local directory's checksum is the SHA-256 of its listing: for each regular file, sorted by
relative path, the line ``<path>\\0<size>\\0<sha256 of the file>\\n`` (what
:func:`directory_sha256` computes; the command prints it when it does not match).
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import shutil
import stat
import tarfile
import tempfile
import urllib.request
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, ClassVar, Literal

from cic.speech.stt import ModelError, SpeechError

ModelEngine = Literal["whisper", "vosk"]
MANIFEST = "cic-model.json"
CURRENT = "current"
PREVIOUS = "previous"
MAX_UNPACKED_BYTES = 20 * 1024**3  # large-v3 in float32 is about 3 GB; 20 GB is plenty
MAX_MEMBERS = 20_000
CHUNK = 1 << 20

Progress = Callable[[int, int | None], None]
"""Called with (bytes done, bytes in all or None when unknown)."""


class InstallError(SpeechError):
    """The model was not installed; ``current`` still points at the model it pointed at."""

    status: ClassVar[int] = 422
    error_id: ClassVar[str] = "stt_model_install_failed"
    default_message: ClassVar[str] = "Nie zainstalowano modelu rozpoznawania mowy."


@dataclass(frozen=True, slots=True)
class Installed:
    """What was installed and where ``current`` points now."""

    name: str
    engine: ModelEngine
    sha256: str
    directory: Path
    current: Path
    previous: Path | None


def installed_name(model_dir: Path) -> str | None:
    """``<name>-<sha256[:8]>`` from the manifest of an installed model (``current`` resolved),
    or None for a directory not installed by :func:`install_model`."""
    try:
        data = json.loads((model_dir.resolve() / MANIFEST).read_text(encoding="utf-8"))
        return f"{data['name']}-{str(data['sha256'])[:8]}"
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _check_model(engine: ModelEngine, directory: Path) -> None:
    if engine == "whisper":
        from cic.speech.engines.whisper_engine import check_whisper_model

        check_whisper_model(directory)
    else:
        from cic.speech.engines.vosk_engine import check_vosk_model

        check_vosk_model(directory)


def _detect_engine(directory: Path) -> ModelEngine:
    engines: tuple[ModelEngine, ...] = ("whisper", "vosk")
    for engine in engines:
        try:
            _check_model(engine, directory)
        except ModelError:
            continue
        return engine
    raise InstallError(
        "To nie jest model rozpoznawania mowy: nie znaleziono w nim ani modelu Whisper "
        "(model.bin, config.json, tokenizer.json), ani modelu Vosk (am/final.mdl i graph).",
        f"{directory.name}: neither a CTranslate2 Whisper nor a Vosk model",
    )


def _copy_hashing(
    source: IO[bytes], target: Path, total: int | None, progress: Progress | None
) -> tuple[str, int]:
    digest = hashlib.sha256()
    done = 0
    with target.open("wb") as out:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            out.write(chunk)
            done += len(chunk)
            if progress:
                progress(done, total)
        out.flush()
        os.fsync(out.fileno())
    return digest.hexdigest(), done


def _fetch(source: str, target: Path, progress: Progress | None) -> str:
    """``source`` (URL or file) copied to ``target``; its SHA-256. A short copy is an error."""
    if source.startswith(("http://", "https://")):
        try:
            with urllib.request.urlopen(source, timeout=60) as response:  # noqa: S310 (http/s only)
                length = response.headers.get("Content-Length")
                total = int(length) if length and length.isdigit() else None
                digest, done = _copy_hashing(response, target, total, progress)
        except (OSError, http.client.HTTPException) as exc:
            raise InstallError(
                f"Pobieranie modelu nie powiodło się: {exc}. Obecny model działa dalej.",
                f"download of {source} failed: {exc}",
            ) from exc
    else:
        path = Path(source)
        total = path.stat().st_size
        with path.open("rb") as file:
            digest, done = _copy_hashing(file, target, total, progress)
    if total is not None and done != total:
        raise InstallError(
            f"Pobieranie modelu przerwane: otrzymano {done} z {total} bajtów. "
            "Obecny model działa dalej.",
            f"short read from {source}: {done} of {total} bytes",
        )
    return digest


def directory_sha256(directory: Path) -> str:
    """The SHA-256 of a directory's listing (see the module doc); links are refused."""
    listing = hashlib.sha256()
    for path in sorted(_walk(directory), key=lambda p: p.relative_to(directory).as_posix()):
        file_digest = hashlib.sha256()
        with path.open("rb") as file:
            while chunk := file.read(CHUNK):
                file_digest.update(chunk)
        relative = path.relative_to(directory).as_posix()
        listing.update(f"{relative}\0{path.stat().st_size}\0{file_digest.hexdigest()}\n".encode())
    return listing.hexdigest()


def _walk(directory: Path) -> Iterator[Path]:
    for root, dirs, files in os.walk(directory):
        for name in dirs + files:
            path = Path(root) / name
            mode = path.lstat().st_mode
            if stat.S_ISLNK(mode):
                raise InstallError(
                    f"Katalog modelu zawiera dowiązanie {path.relative_to(directory)}; "
                    "dowiązania nie są przyjmowane.",
                    f"symlink in source directory: {path}",
                )
            if stat.S_ISREG(mode):
                yield path


def _member_path(name: str) -> PurePosixPath:
    """A member's path, refused when it is absolute or climbs out with ``..``."""
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or (path.parts and ":" in path.parts[0]):
        raise InstallError(
            f"Archiwum modelu zawiera niebezpieczną ścieżkę {name!r}; nie rozpakowano go.",
            f"unsafe member path: {name!r}",
        )
    return path


def _damaged(archive: Path, exc: BaseException) -> InstallError:
    return InstallError(
        "Archiwum modelu jest uszkodzone albo nie jest archiwum .zip ani .tar.gz. "
        "Obecny model działa dalej.",
        f"cannot unpack {archive.name}: {exc}",
    )


def _too_big(total: int, limit: int) -> InstallError:
    return InstallError(
        "Archiwum modelu po rozpakowaniu byłoby za duże.",
        f"unpacked size {total} exceeds {limit} bytes",
    )


def _unpack_zip(archive: Path, target: Path, limit: int) -> None:
    with zipfile.ZipFile(archive) as zf:
        members = zf.infolist()
        if len(members) > MAX_MEMBERS:
            raise InstallError("Archiwum modelu ma za dużo plików.", f"{len(members)} members")
        total = 0
        for info in members:
            relative = _member_path(info.filename)
            if stat.S_ISLNK(info.external_attr >> 16):
                raise InstallError(
                    f"Archiwum modelu zawiera dowiązanie {info.filename!r}; nie rozpakowano go.",
                    f"symlink member: {info.filename!r}",
                )
            total += info.file_size
            if total > limit:
                raise _too_big(total, limit)
            out = target.joinpath(*relative.parts)
            if info.is_dir():
                out.mkdir(parents=True, exist_ok=True)
                continue
            out.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as src, out.open("wb") as dst:
                # Counted again while writing: a zip's declared sizes may lie.
                written = 0
                while chunk := src.read(CHUNK):
                    written += len(chunk)
                    if written > info.file_size:
                        raise _damaged(archive, ValueError(f"{info.filename} larger than stated"))
                    dst.write(chunk)


def _unpack_tar(archive: Path, target: Path, limit: int) -> None:
    with tarfile.open(archive, "r:*") as tf:
        total = 0
        count = 0
        for member in tf:
            count += 1
            if count > MAX_MEMBERS:
                raise InstallError("Archiwum modelu ma za dużo plików.", f"over {MAX_MEMBERS}")
            relative = _member_path(member.name)
            if member.issym() or member.islnk():
                raise InstallError(
                    f"Archiwum modelu zawiera dowiązanie {member.name!r}; nie rozpakowano go.",
                    f"link member: {member.name!r}",
                )
            if not (member.isfile() or member.isdir()):
                raise InstallError(
                    f"Archiwum modelu zawiera plik specjalny {member.name!r}.",
                    f"special member: {member.name!r}",
                )
            out = target.joinpath(*relative.parts)
            if member.isdir():
                out.mkdir(parents=True, exist_ok=True)
                continue
            total += member.size
            if total > limit:
                raise _too_big(total, limit)
            out.parent.mkdir(parents=True, exist_ok=True)
            src = tf.extractfile(member)
            if src is None:  # pragma: no cover - isfile() members always have data
                raise _damaged(archive, ValueError(member.name))
            with src, out.open("wb") as dst:
                shutil.copyfileobj(src, dst, CHUNK)


def _unpack(archive: Path, target: Path, limit: int) -> None:
    target.mkdir()
    try:
        if zipfile.is_zipfile(archive):
            _unpack_zip(archive, target, limit)
        else:
            _unpack_tar(archive, target, limit)
    except InstallError:
        raise
    except (tarfile.TarError, zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
        raise _damaged(archive, exc) from exc


def _model_root(unpacked: Path) -> Path:
    """The archive's single top directory (``vosk-model-small-pl-0.22/``), else itself."""
    entries = list(unpacked.iterdir())
    if len(entries) == 1 and entries[0].is_dir():
        return entries[0]
    return unpacked


def _check_name(name: str) -> str:
    if not name or len(name) > 80 or name.startswith(".") or name in (CURRENT, PREVIOUS):
        raise InstallError(f"Nieprawidłowa nazwa modelu: {name!r}.", f"bad name {name!r}")
    if not all(ch.isalnum() or ch in "-_." for ch in name):
        raise InstallError(
            f"Nazwa modelu {name!r} może zawierać tylko litery, cyfry, '-', '_' i '.'.",
            f"bad name {name!r}",
        )
    return name


def _default_name(source: str) -> str:
    base = PurePosixPath(source.rstrip("/").split("?")[0]).name or "model"
    for suffix in (".tar.gz", ".tgz", ".zip", ".tar"):
        if base.lower().endswith(suffix):
            base = base[: -len(suffix)]
    cleaned = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in base).strip(".-")
    return cleaned[:80] or "model"


def _link(models_dir: Path, link: str, target: str) -> None:
    """``models_dir/link`` pointing at ``target`` (relative), replaced in one rename."""
    tmp = models_dir / f".{link}.{os.getpid()}.tmp"
    tmp.unlink(missing_ok=True)
    os.symlink(target, tmp)
    os.replace(tmp, models_dir / link)


@contextmanager
def _staging(models_dir: Path) -> Iterator[Path]:
    staging = Path(tempfile.mkdtemp(prefix=".install-", dir=models_dir))
    try:
        yield staging
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def install_model(
    source: str,
    sha256: str,
    models_dir: Path,
    *,
    engine: ModelEngine | None = None,
    name: str | None = None,
    progress: Progress | None = None,
    max_unpacked_bytes: int = MAX_UNPACKED_BYTES,
) -> Installed:
    """Install the model at ``source`` (URL, .zip/.tar.gz file or directory) into
    ``models_dir`` and make it ``current``; InstallError (old model untouched) on any failure."""
    expected = sha256.strip().lower()
    if len(expected) != 64 or any(ch not in "0123456789abcdef" for ch in expected):
        raise InstallError(
            "Suma kontrolna musi mieć 64 znaki szesnastkowe (SHA-256).", f"bad sha256 {sha256!r}"
        )
    label = _check_name(name or _default_name(source))
    is_url = source.startswith(("http://", "https://"))
    if not is_url and not Path(source).exists():
        raise InstallError(f"Nie znaleziono {source}.", f"no such file or directory: {source}")
    models_dir.mkdir(parents=True, exist_ok=True)
    with _staging(models_dir) as staging:
        if not is_url and Path(source).is_dir():
            actual = directory_sha256(Path(source))
            _verify(expected, actual)
            unpacked = staging / "unpacked"
            shutil.copytree(source, unpacked, symlinks=True)
        else:
            download = staging / "download.part"
            actual = _fetch(source, download, progress)
            _verify(expected, actual)
            unpacked = staging / "unpacked"
            _unpack(download, unpacked, max_unpacked_bytes)
            download.unlink()
        root = _model_root(unpacked)
        found = _detect_engine(root) if engine is None else engine
        if engine is not None:
            try:
                _check_model(engine, root)
            except ModelError as exc:
                raise InstallError(
                    f"To nie jest model {engine}: {exc.message} Obecny model działa dalej.",
                    exc.detail,
                ) from exc
        manifest = {"name": label, "engine": found, "sha256": expected, "source": source}
        (root / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
        directory = models_dir / f"{label}-{expected[:8]}"
        if not directory.exists():
            os.rename(root, directory)
    current = models_dir / CURRENT
    before = os.readlink(current) if current.is_symlink() else None
    previous: Path | None = None
    if before is not None and before != directory.name:
        _link(models_dir, PREVIOUS, before)
        previous = models_dir / before
    _link(models_dir, CURRENT, directory.name)
    return Installed(label, found, expected, directory, current, previous)


def _verify(expected: str, actual: str) -> None:
    if actual != expected:
        raise InstallError(
            "Suma kontrolna SHA-256 się nie zgadza: plik jest inny niż podany albo uszkodzony "
            f"(oczekiwano {expected}, jest {actual}). Obecny model działa dalej.",
            f"sha256 mismatch: expected {expected}, got {actual}",
        )
