"""``restore``: an archive back into a fresh instance.

Nothing is written before the whole archive has been read and every member checked (names,
types, sizes, SHA-256 against the manifest, the manifest against its own checksum), the
archive's schema is known to this cic, the database kinds match and the target is empty (or
``force``). Then: the database (and its row counts checked against the manifest), the
migrations up to this cic's newest schema, the recordings (with their paths in the database
moved to this instance's recordings root), the state files and secrets, and the settings
files beside them in ``<state_dir>/ustawienia-z-kopii`` for the administrator to compare and
put in place.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from alembic.script import ScriptDirectory
from sqlalchemy import select
from sqlalchemy.orm import Session

from cic.backup import database
from cic.backup.archive import Readable, copy_hashed, members, verify
from cic.backup.errors import ArchiveRefused, ControllerRunning, TargetNotEmpty
from cic.backup.locks import controller_holds
from cic.backup.models import Manifest, Member, Problem
from cic.backup.sources import SECRETS, recordings, recordings_root, state_files
from cic.calls.models import Recording
from cic.config import Settings
from cic.db import Store, alembic_config, migrate
from cic.private import DIR_MODE, FILE_MODE, private_dir
from cic.recordings.folders import FOLDER_MODE
from cic.recordings.models import RecordingChannel

CONFIG_DIR = "ustawienia-z-kopii"
ASIDE = ".przed-odtworzeniem"
SUMMARY_TABLES = ("calls", "call_events", "recordings", "cases", "contact_reports", "residents")


@dataclass(frozen=True)
class RestoreSummary:
    """What came back: the archive's facts, row counts of the main tables, files restored,
    where the settings files were put, and the problems the backup had reported."""

    archive: Path
    created_at: str
    cic_version: str
    revision: str
    counts: dict[str, int]
    recordings: int
    state_files: int
    config_dir: Path | None
    problems: list[Problem] = field(default_factory=list)


def _known_revision(revision: str) -> bool:
    if not revision:
        return True  # a database never migrated: the migrations make it
    try:
        return ScriptDirectory.from_config(alembic_config()).get_revision(revision) is not None
    except Exception:
        return False


def occupied(settings: Settings) -> list[str]:
    """Why the target instance is not empty (nothing: it is): tables in its database,
    recordings, data in its state directory."""
    reasons = []
    if database.tables(settings.db_url):
        reasons.append("baza danych ma tabele")
    if recordings(settings):
        reasons.append(f"katalog nagrań {recordings_root(settings)} zawiera pliki")
    sqlite_file = _sqlite_file(settings)
    data = [s for s in state_files(settings, sqlite_file) if s.path.name != SECRETS]
    if data:
        reasons.append(f"katalog stanu {settings.state_dir} zawiera dane ({data[0].path.name}, …)")
    return reasons


def _sqlite_file(settings: Settings) -> Path | None:
    url = settings.db_url
    return database.sqlite_path(url) if database.kind_of(url) == "sqlite" else None


class Restorer:
    """Restores one archive into the instance ``settings`` describe."""

    def __init__(self, settings: Settings) -> None:
        """Where things go: the database URL, recordings root and state directory."""
        self.settings = settings
        self.state = Path(settings.state_dir)
        self.recordings = recordings_root(settings)
        self._owner: dict[Path, tuple[int, int]] = {}

    def check(self, archive: Path, *, force: bool) -> Manifest:
        """Everything that must hold before the first write; the verified manifest."""
        if controller_holds(self.state):
            raise ControllerRunning()
        manifest = verify(archive).manifest
        if not _known_revision(manifest.alembic_revision):
            raise ArchiveRefused(
                f"Kopia pochodzi z nowszej wersji cic ({manifest.cic_version}, schemat bazy"
                f" {manifest.alembic_revision}), nieznanej tej wersji: zainstaluj co najmniej"
                " tamtą wersję cic. Nic nie odtworzono."
            )
        target = database.kind_of(self.settings.db_url)
        if target != manifest.database_kind:
            raise ArchiveRefused(
                f"Kopia zawiera bazę {manifest.database_kind}, a ustawiona jest {target}:"
                " odtwórz do bazy tego samego rodzaju. Nic nie odtworzono."
            )
        reasons = occupied(self.settings)
        if reasons and not force:
            raise TargetNotEmpty(
                "Docelowa instancja nie jest pusta (" + "; ".join(reasons) + "). Odtwarzanie"
                " zastąpiłoby te dane: użyj --force, jeśli tak ma być. Nic nie odtworzono."
            )
        return manifest

    def restore(self, archive: Path, *, force: bool = False) -> RestoreSummary:
        """Check (see ``check``), then write: database, migrations, recordings, state,
        settings files; the summary."""
        manifest = self.check(archive, force=force)
        listed = {m.name: m for m in manifest.members}
        private_dir(self.state)
        work = Path(tempfile.mkdtemp(dir=self.state, prefix=".cic-restore-"))
        config_dir = self.state / CONFIG_DIR if manifest.of_kind("config") else None
        try:
            for info, reader in members(archive):
                member = listed.get(info.name)
                if member is None:
                    continue  # the manifest itself
                if member.kind == "database":
                    file = self._put(reader, member, work / PurePosixPath(member.name).name)
                    self._database(manifest, file)
                elif member.kind == "recording":
                    self._put(reader, member, self._under(self.recordings, member, FOLDER_MODE))
                elif member.kind == "state":
                    self._state(reader, member)
                else:
                    assert config_dir is not None
                    self._put(reader, member, self._under(config_dir, member, DIR_MODE))
        finally:
            shutil.rmtree(work, ignore_errors=True)
        self._move_recording_paths(manifest.recordings_root)
        counts = database.counts(self.settings.db_url)
        return RestoreSummary(
            archive=archive, created_at=manifest.created_at, cic_version=manifest.cic_version,
            revision=manifest.alembic_revision,
            counts={t: counts.get(t, 0) for t in SUMMARY_TABLES},
            recordings=len(manifest.of_kind("recording")),
            state_files=len(manifest.of_kind("state")), config_dir=config_dir,
            problems=manifest.problems,
        )  # fmt: skip

    def _database(self, manifest: Manifest, file: Path) -> None:
        url = self.settings.db_url
        database.load(url, manifest.database_kind, file)
        found = database.counts(url)
        differ = sorted(t for t, n in manifest.tables.items() if found.get(t) != n)
        if differ:
            raise ArchiveRefused(
                "Po odtworzeniu bazy liczby wierszy nie zgadzają się ze spisem"
                f" ({', '.join(differ[:5])}): baza docelowa nie była pusta?"
            )
        migrate(url)

    def _under(self, root: Path, member: Member, dir_mode: int) -> Path:
        """The member's path below ``root`` (its name without the first folder), folders
        made with ``dir_mode``; checked once more to stay inside ``root``."""
        parts = PurePosixPath(member.name).parts[1:]
        target = root.joinpath(*parts)
        if not os.path.abspath(target).startswith(os.path.abspath(root) + os.sep):
            raise ArchiveRefused(f"Niedozwolona ścieżka {member.name!r}. ")
        folder = root
        if not folder.exists():
            folder.mkdir(parents=True, mode=dir_mode)
        for part in parts[:-1]:
            folder = folder / part
            if not folder.exists():
                folder.mkdir()
                os.chmod(folder, dir_mode)
                self._own(folder, root)
        return target

    def _state(self, reader: Readable, member: Member) -> None:
        target = self._under(self.state, member, DIR_MODE)
        if target == self.state / SECRETS and target.exists():
            os.replace(target, target.with_name(SECRETS + ASIDE))  # the new instance's, kept
        self._put(reader, member, target, FILE_MODE)

    def _put(self, reader: Readable, member: Member, target: Path, mode: int | None = None) -> Path:
        """Write the member to ``target`` under a temporary name, check it, rename."""
        temp = target.with_name(f".{target.name}.restore")
        with temp.open("wb") as out:
            size, digest = copy_hashed(reader, out)
        if (size, digest) != (member.size, member.sha256):
            temp.unlink(missing_ok=True)
            raise ArchiveRefused(f"{member.name} zmienił się w archiwum w trakcie odtwarzania.")
        os.chmod(temp, (member.mode & 0o770) if mode is None else mode)
        os.replace(temp, target)
        for root in (self.recordings, self.state):
            if target.is_relative_to(root):
                self._own(target, root)
        return target

    def _own(self, path: Path, root: Path) -> None:
        """As root: the restored file belongs to whoever owns the folder it went into (the
        service's user), not to root."""
        if os.geteuid() != 0 or not root.exists():
            return
        if root not in self._owner:
            stat = root.stat()
            self._owner[root] = (stat.st_uid, stat.st_gid)
        os.chown(path, *self._owner[root])

    def _move_recording_paths(self, old_root: str) -> None:
        """Recordings are named in the database by absolute path: point them at this
        instance's recordings root when it differs from the backed-up one."""
        new_root = os.path.normpath(os.path.abspath(self.recordings))
        if not old_root or new_root == old_root:
            return

        def move(session: Session) -> None:
            rows: list[Recording | RecordingChannel] = [
                *session.scalars(select(Recording)),
                *session.scalars(select(RecordingChannel)),
            ]
            for row in rows:
                path = os.path.normpath(row.path)
                if path.startswith(old_root + os.sep):
                    row.path = new_root + path[len(old_root) :]

        store = Store(self.settings.db_url)
        try:
            store.run_sync(move)
        finally:
            store.engine.dispose()
