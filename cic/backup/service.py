"""``backup``: one archive of the database, recordings, secrets, state and settings, then the
old archives pruned; ``restore``: such an archive, checked whole first, into an empty
instance (see the README's "Kopie zapasowe" for what an administrator types)."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from cic import __version__
from cic.auth import audit
from cic.backup import database, status
from cic.backup.archive import ArchiveWriter, disk_error, safe_name
from cic.backup.errors import BackupError
from cic.backup.locks import backup_lock
from cic.backup.models import Manifest, Member, Problem
from cic.backup.retention import archive_name, prune
from cic.backup.sources import (
    backup_dir,
    config_files,
    links,
    recordings,
    recordings_root,
    state_files,
)
from cic.config import Settings
from cic.db import Store, utcnow
from cic.private import private_dir

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BackupResult:
    """A finished backup: the archive, its size, how many files it holds (recordings among
    them), what was found wrong, and the old archives deleted."""

    path: Path
    size: int
    members: int
    recordings: int
    problems: list[Problem]
    deleted: list[Path] = field(default_factory=list)


def _absolute(path: str | Path) -> str:
    return os.path.normpath(os.path.abspath(path))


class BackupService:
    """Makes backups of the instance ``settings`` describe (``settings_path``: the settings
    file to include; ``now``: the clock)."""

    def __init__(
        self,
        settings: Settings,
        *,
        settings_path: Path | None = None,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        """Nothing is read until ``backup`` runs."""
        self.settings = settings
        self.settings_path = settings_path
        self.now = now

    def backup(
        self, to: Path | None = None, keep: int | None = None, actor: str = "cli"
    ) -> BackupResult:
        """Write one archive into ``to`` (default ``backup.dir``), record the outcome in the
        status file and the audit log (as ``actor``), then prune that folder (``keep``: the
        newest N instead of the daily/weekly/monthly settings). A failure leaves no archive
        and raises BackupError."""
        folder = to or backup_dir(self.settings)
        state = self.settings.state_dir
        try:
            private_dir(folder)
            with backup_lock(folder):
                result = self._make(folder)
                b = self.settings.backup
                deleted = prune(folder, daily=b.keep_daily, weekly=b.keep_weekly,
                                monthly=b.keep_monthly, keep=keep)  # fmt: skip
        except BackupError as exc:
            status.failed(state, self.now(), exc.message)
            raise
        except OSError as exc:
            error = disk_error(exc, folder)
            status.failed(state, self.now(), error.message)
            raise error from exc
        status.succeeded(state, self.now(), result.path, result.size, len(result.problems))
        self._audit(result, actor)
        return BackupResult(result.path, result.size, result.members, result.recordings,
                            result.problems, deleted)  # fmt: skip

    def _audit(self, result: BackupResult, actor: str) -> None:
        """An audit entry for the backup (best effort: the archive is made either way)."""
        store = Store(self.settings.db_url)
        try:
            store.run_sync(lambda s: audit.record(
                s, "backup_made", actor=actor, target=result.path.name, size=result.size,
                problems=len(result.problems)))  # fmt: skip
        except Exception:
            log.exception("backup: could not write the audit entry")
        finally:
            store.engine.dispose()

    def _make(self, folder: Path) -> BackupResult:
        at = self.now()
        final = folder / archive_name(at)
        if final.exists():
            raise BackupError(f"Archiwum {final} już istnieje; spróbuj za sekundę.")
        url = self.settings.db_url
        sqlite_file = database.sqlite_path(url) if database.kind_of(url) == "sqlite" else None
        writer = ArchiveWriter(final)
        work = Path(tempfile.mkdtemp(dir=folder, prefix=".cic-backup-"))
        try:
            dumped = database.dump(url, work)
            writer.add_file(f"database/{dumped.file.name}", dumped.file, "database")
            dumped.file.unlink()  # its space back before the recordings are copied
            problems = self._recordings(writer, dumped.checksums)
            for source in [*state_files(self.settings, sqlite_file),
                           *config_files(self.settings, self.settings_path)]:  # fmt: skip
                if not safe_name(source.name):
                    problems.append(Problem("skipped", str(source.path), "nazwa pliku"))
                    continue
                try:
                    writer.add_file(source.name, source.path, source.kind, source.origin)
                except FileNotFoundError:  # removed meanwhile (the call spool emptied)
                    continue
            manifest = Manifest(
                cic_version=__version__, created_at=at.isoformat(), database_kind=dumped.kind,
                alembic_revision=dumped.revision, tables=dumped.tables,
                recordings_root=_absolute(recordings_root(self.settings)),
                state_dir=_absolute(self.settings.state_dir), problems=problems,
            )  # fmt: skip
            path = writer.finish(manifest)
        except BaseException:
            writer.abort()
            raise
        finally:
            shutil.rmtree(work, ignore_errors=True)
        taken = writer.members
        count = sum(1 for m in taken if m.kind == "recording")
        return BackupResult(path, path.stat().st_size, len(taken), count, problems)

    def _recordings(self, writer: ArchiveWriter, known: dict[str, str]) -> list[Problem]:
        """Copy every recording in; compare each with the database's checksum."""
        problems: list[Problem] = []
        expected = {_absolute(p): s for p, s in known.items()}
        seen: set[str] = set()
        for source in recordings(self.settings):
            if not safe_name(source.name):
                problems.append(Problem("skipped", str(source.path), "nazwa pliku"))
                continue
            try:
                member = writer.add_file(source.name, source.path, "recording")
            except FileNotFoundError:  # deleted by retention meanwhile
                continue
            key = _absolute(source.path)
            seen.add(key)
            _check(member, expected.get(key), problems)
        root = _absolute(recordings_root(self.settings))
        for path in sorted(set(expected) - seen):
            inside = path.startswith(root + os.sep)
            problems.append(Problem("missing" if inside else "outside_root", path))
        problems += [Problem("skipped", str(p)) for p in links(Path(root))]
        return problems


def _check(member: Member, expected: str | None, problems: list[Problem]) -> None:
    """Mark ``member`` verified or not against the database's checksum (None: unknown)."""
    if expected is None:
        return
    member.verified = member.sha256 == expected
    if not member.verified:
        detail = f"w bazie {expected[:12]}…, plik {member.sha256[:12]}…"
        problems.append(Problem("checksum_mismatch", member.name, detail))
