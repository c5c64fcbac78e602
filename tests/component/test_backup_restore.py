"""Backup -> wipe -> restore on SQLite and PostgreSQL (the privacy tests' made-up office:
residents, calls with timelines, transfers and recordings, reports, cases), and every refusal
of a damaged archive or an occupied target, with nothing written."""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import os
import stat
import subprocess
import tarfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from cic.auth.models import AuditEntry
from cic.backup import database
from cic.backup import status as backup_status
from cic.backup.archive import verify
from cic.backup.errors import ArchiveRefused, BackupError, ControllerRunning, TargetNotEmpty
from cic.backup.locks import controller_lock
from cic.backup.plugin import scheduled_backup
from cic.backup.restore import CONFIG_DIR, Restorer
from cic.backup.service import BackupService
from cic.calls.models import Recording
from cic.config import Settings
from cic.credentials import Credentials
from cic.db import Store, migrate
from cic.recordings.models import RecordingChannel
from cic.residents.models import Resident
from cic.residents.schemas import NewResident
from cic.residents.service import ResidentService
from tests.component import privacy_world
from tests.component.privacy_world import snapshot
from tests.conftest import empty_postgres


@dataclass
class Instance:
    """One cic instance's places: settings, its settings file, the recordings root."""

    settings: Settings
    config: Path
    recordings: Path


def instance(base: Path, db_url: str) -> Instance:
    """Settings for an instance living under ``base``."""
    settings = Settings(state_dir=str(base / "state"), database_url=db_url)
    settings.speech.recordings_root = str(base / "recordings")
    settings.backup.dir = str(base / "kopie")
    settings.backup.include = [str(base / "etc" / "cic.env")]
    return Instance(settings, base / "etc" / "cic.yaml", base / "recordings")


def sha(path: Path) -> str:
    """The file's SHA-256."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tree(root: Path) -> dict[str, str]:
    """Every file under ``root`` by relative path, with its SHA-256."""
    if not root.exists():
        return {}
    return {p.relative_to(root).as_posix(): sha(p) for p in sorted(root.rglob("*")) if p.is_file()}


def state_tree(made: Instance) -> dict[str, str]:
    """The state directory's files but the SQLite database (its bytes move on checkpoints)."""
    files = tree(Path(made.settings.state_dir))
    return {k: v for k, v in files.items() if not k.startswith("cic.db")}


def moved(rows: dict[str, list[Any]], old: Path, new: Path) -> dict[str, list[Any]]:
    """A snapshot with the recordings' paths moved from ``old`` to ``new``."""
    return {
        name: sorted(tuple(v.replace(str(old), str(new)) for v in row) for row in values)
        for name, values in rows.items()
    }


@pytest.fixture
def source(db_url: str, tmp_path: Path) -> Instance:
    """The office with data, secrets, state files and a settings file."""
    made = instance(tmp_path / "old", db_url)
    store = Store(db_url)
    store.migrate()
    asyncio.run(privacy_world.build(store, made.recordings))
    store.engine.dispose()
    credentials = Credentials(made.settings.secrets_path)
    credentials.sip_password("konsultant1")
    assert credentials.pesel_key
    attachment = Path(made.settings.state_dir) / "channels" / "ab" / "abcdef"
    attachment.parent.mkdir(parents=True)
    attachment.write_bytes(b"zalacznik mieszkanca")
    (Path(made.settings.state_dir) / "cic.log").write_text("log, not backed up\n")
    (Path(made.settings.state_dir) / "models" / "whisper").mkdir(parents=True)
    (Path(made.settings.state_dir) / "models" / "whisper" / "big.bin").write_bytes(b"0" * 10)
    made.config.parent.mkdir(parents=True)
    made.config.write_text("office:\n  name: Urząd Gminy Testowo\n")
    (made.config.parent / "cic.env").write_text("CIC_SMS__TOKEN=tajny\n")
    return made


def wipe(made: Instance, db_url: str, tmp_path: Path) -> Instance:
    """A fresh, empty instance: a new SQLite file, or the PostgreSQL database emptied."""
    if db_url.startswith("sqlite"):
        return instance(tmp_path / "new", f"sqlite:///{tmp_path / 'new' / 'state' / 'cic.db'}")
    return instance(tmp_path / "new", empty_postgres(db_url))


def test_round_trip_restores_every_row_file_and_secret(
    source: Instance, db_url: str, tmp_path: Path
) -> None:
    store = Store(db_url)
    before = snapshot(store, skip=())
    store.engine.dispose()
    old_files = tree(source.recordings)
    secrets_before = source.settings.secrets_path.read_bytes()

    result = BackupService(source.settings, settings_path=source.config).backup()

    assert result.problems == []
    assert result.recordings == len(old_files) == 21  # 7 calls, mixed and two speakers each
    assert stat.S_IMODE(result.path.stat().st_mode) == 0o600
    manifest = verify(result.path).manifest
    names = {m.name for m in manifest.members}
    assert "state/secrets.json" in names and "state/channels/ab/abcdef" in names
    assert not any("models" in n or n.endswith("cic.log") for n in names)
    assert {m.source for m in manifest.of_kind("config")} == {
        str(source.config.resolve()),
        str((source.config.parent / "cic.env").resolve()),
    }
    assert all(m.verified for m in manifest.of_kind("recording"))
    assert manifest.tables["calls"] == 7 and manifest.tables["cases"] == 2

    target = wipe(source, db_url, tmp_path)
    assert database.tables(target.settings.db_url) == []
    summary = Restorer(target.settings).restore(result.path)

    assert summary.counts["calls"] == 7 and summary.counts["cases"] == 2
    assert summary.counts["contact_reports"] == 2 and summary.counts["residents"] == 4
    assert summary.recordings == 21
    restored = Store(target.settings.db_url)
    assert snapshot(restored, skip=()) == moved(before, source.recordings, target.recordings)
    assert database.counts(target.settings.db_url) == manifest.tables
    assert tree(target.recordings) == old_files

    def recorded(session: Any) -> list[tuple[str, str]]:
        rows = [*session.scalars(select(Recording)), *session.scalars(select(RecordingChannel))]
        return [(r.path, r.sha256) for r in rows]

    files = restored.run_sync(recorded)
    assert len(files) == 21
    for path, digest in files:
        assert Path(path).is_relative_to(target.recordings)
        assert sha(Path(path)) == digest
    state = Path(target.settings.state_dir)
    assert target.settings.secrets_path.read_bytes() == secrets_before
    assert stat.S_IMODE(target.settings.secrets_path.stat().st_mode) == 0o600
    assert (state / "channels" / "ab" / "abcdef").read_bytes() == b"zalacznik mieszkanca"
    assert not (state / "cic.log").exists() and not (state / "models").exists()
    config = tree(state / CONFIG_DIR)
    assert config == {
        "cic.yaml": sha(source.config),
        "1-cic.env": sha(source.config.parent / "cic.env"),
    }
    # The restored database takes new rows (PostgreSQL's sequences came back too).
    added = asyncio.run(
        ResidentService(restored).create(NewResident.model_validate({"name": "Nowa"}), "s")
    )
    assert added["id"] > max(int(r[0]) for r in before["residents"])
    restored.engine.dispose()


def test_backup_reports_a_recording_that_differs_from_the_database(
    source: Instance, db_url: str
) -> None:
    changed = sorted(source.recordings.rglob("*-agent.wav"))[0]
    changed.write_bytes(changed.read_bytes()[:-2] + b"\x01\x02")

    result = BackupService(source.settings).backup()

    assert [(p.kind, p.path) for p in result.problems] == [
        ("checksum_mismatch", f"recordings/{changed.relative_to(source.recordings).as_posix()}")
    ]
    members = verify(result.path).manifest.of_kind("recording")
    assert [m.verified for m in members].count(False) == 1
    assert backup_status.read(source.settings.state_dir)["last_problems"] == 1


def test_older_schema_restores_and_is_migrated_to_head(db_url: str, tmp_path: Path) -> None:
    old = instance(tmp_path / "old", db_url)
    migrate(db_url, "0027")
    archive = BackupService(old.settings).backup().path
    assert verify(archive).manifest.alembic_revision == "0027"
    target = wipe(old, db_url, tmp_path)

    Restorer(target.settings).restore(archive)

    store = Store(target.settings.db_url)
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0028"
    store.engine.dispose()


@pytest.fixture
def archive(source: Instance) -> Path:
    """An archive of the office."""
    return BackupService(source.settings).backup().path


def nothing_written(made: Instance) -> None:
    """The fresh target is as it was: no tables, no recordings, no state."""
    assert database.tables(made.settings.db_url) == []
    assert tree(made.recordings) == {}
    assert not Path(made.settings.state_dir).exists() or tree(Path(made.settings.state_dir)) == {}


def member_offset(path: Path, prefix: str) -> int:
    """Where the data of the first member named ``prefix…`` starts in the archive."""
    with tarfile.open(path) as tar:
        return next(i.offset_data for i in tar if i.name.startswith(prefix))


def test_one_changed_byte_is_refused(
    archive: Path, source: Instance, db_url: str, tmp_path: Path
) -> None:
    data = bytearray(archive.read_bytes())
    at = member_offset(archive, "recordings/") + 100
    data[at] ^= 0x01
    archive.write_bytes(bytes(data))
    target = wipe(source, db_url, tmp_path)

    with pytest.raises(ArchiveRefused, match="Suma kontrolna recordings/"):
        Restorer(target.settings).restore(archive)
    nothing_written(target)


def test_a_truncated_archive_is_refused(
    archive: Path, source: Instance, db_url: str, tmp_path: Path
) -> None:
    with archive.open("r+b") as f:
        f.truncate(archive.stat().st_size // 2)
    target = wipe(source, db_url, tmp_path)

    with pytest.raises(ArchiveRefused, match="ucięte"):
        Restorer(target.settings).restore(archive)
    nothing_written(target)


def _with_member(archive: Path, out: Path, info: tarfile.TarInfo, data: bytes = b"") -> None:
    """``archive`` copied to ``out`` with one more member in front."""
    with tarfile.open(archive) as src, tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as dst:
        dst.addfile(info, io.BytesIO(data) if info.isreg() else None)
        for member in src:
            dst.addfile(member, src.extractfile(member))


@pytest.mark.parametrize("name,kind", [
    ("../../etc/passwd", tarfile.REGTYPE),
    ("recordings/../../../etc/cron.d/x", tarfile.REGTYPE),
    ("/etc/passwd", tarfile.REGTYPE),
    ("recordings/2026/link.wav", tarfile.SYMTYPE),
    ("state/secrets-hard", tarfile.LNKTYPE),
])  # fmt: skip
def test_unsafe_members_are_refused(
    archive: Path, source: Instance, db_url: str, tmp_path: Path, name: str, kind: bytes
) -> None:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.size = 4 if kind == tarfile.REGTYPE else 0
    info.linkname = "/etc/shadow" if kind != tarfile.REGTYPE else ""
    bad = tmp_path / "bad.tar"
    _with_member(archive, bad, info, b"root")
    target = wipe(source, db_url, tmp_path)

    with pytest.raises(ArchiveRefused, match=r"niedozwoloną ścieżkę|nie jest zwykłym plikiem"):
        Restorer(target.settings).restore(bad)
    nothing_written(target)
    assert not (tmp_path / "etc" / "passwd").exists()


def test_a_non_empty_target_needs_force(
    archive: Path, source: Instance, db_url: str, tmp_path: Path
) -> None:
    target = wipe(source, db_url, tmp_path)
    Restorer(target.settings).restore(archive)
    store = Store(target.settings.db_url)
    resident = asyncio.run(
        ResidentService(store).create(
            NewResident.model_validate({"name": "Dopisana po odtworzeniu"}), "s"
        )
    )
    rows, files = snapshot(store, skip=()), state_tree(target)
    store.engine.dispose()

    with pytest.raises(TargetNotEmpty, match="--force"):
        Restorer(target.settings).restore(archive)
    store = Store(target.settings.db_url)
    assert snapshot(store, skip=()) == rows
    assert state_tree(target) == files
    store.engine.dispose()

    Restorer(target.settings).restore(archive, force=True)
    store = Store(target.settings.db_url)  # a new connection: SQLite's file was replaced
    names = store.run_sync(lambda s: [r.name for r in s.scalars(select(Resident))])
    assert resident["id"] and "Dopisana po odtworzeniu" not in names
    assert "Anna Testowa" in names
    store.engine.dispose()


def test_restore_refuses_while_the_controller_runs(
    archive: Path, source: Instance, db_url: str, tmp_path: Path
) -> None:
    target = wipe(source, db_url, tmp_path)
    Path(target.settings.state_dir).mkdir(parents=True)
    with controller_lock(target.settings.state_dir) as mine:
        assert mine
        with pytest.raises(ControllerRunning):
            Restorer(target.settings).restore(archive)
    assert database.tables(target.settings.db_url) == []
    assert tree(target.recordings) == {}


def test_a_failed_backup_leaves_no_archive_and_says_so(source: Instance, tmp_path: Path) -> None:
    source.settings.database_url = f"sqlite:///{tmp_path / 'nie-ma' / 'cic.db'}"
    folder = Path(source.settings.backup.dir)

    with pytest.raises(Exception, match="Nie ma bazy danych"):
        BackupService(source.settings).backup()

    assert [p.name for p in folder.iterdir() if not p.name.startswith(".cic-backup.lock")] == []
    state = backup_status.read(source.settings.state_dir)
    assert state["ok"] is False and "Nie ma bazy danych" in state["last_error"]


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Callable[[int], Path]]:
    """A tmpfs of a given size (root only), unmounted afterwards."""
    mounted: list[Path] = []

    def make(size: int) -> Path:
        folder = tmp_path / f"maly-dysk-{len(mounted)}"
        folder.mkdir()
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                              capture_output=True, check=False)  # fmt: skip
        if done.returncode != 0:
            pytest.skip(f"cannot mount a small tmpfs: {done.stderr.decode().strip()}")
        mounted.append(folder)
        return folder

    yield make
    for folder in mounted:
        subprocess.run(["umount", str(folder)], check=False)


@pytest.mark.parametrize("room", [0.3, 1.5])  # the database's copy fails / the archive fails
def test_a_full_disk_leaves_no_archive_and_says_so(
    source: Instance, db_url: str, small_disk: Callable[[int], Path], room: float
) -> None:
    if not db_url.startswith("sqlite"):
        pytest.skip("the database's size is known for the SQLite file")
    size = database.sqlite_path(db_url).stat().st_size
    folder = small_disk(int(size * room) // 4096 * 4096)

    with pytest.raises(BackupError, match="Brak miejsca na dysku"):
        BackupService(source.settings).backup(folder)

    assert [p.name for p in folder.iterdir()] == [".cic-backup.lock"]
    state = backup_status.read(source.settings.state_dir)
    assert state["ok"] is False and "Brak miejsca" in state["last_error"]


def test_the_scheduled_run_writes_an_archive_status_and_audit_entry(
    source: Instance, db_url: str
) -> None:
    asyncio.run(scheduled_backup(BackupService(source.settings)))

    archives = sorted(Path(source.settings.backup.dir).glob("cic-backup-*.tar"))
    assert len(archives) == 1
    state = backup_status.read(source.settings.state_dir)
    assert state["ok"] is True and state["last_archive"] == str(archives[0])
    store = Store(db_url)
    entries = store.run_sync(
        lambda s: [(e.action, e.actor, e.target) for e in s.scalars(select(AuditEntry))]
    )
    store.engine.dispose()
    assert ("backup_made", "harmonogram", archives[0].name) in entries
    assert json.loads(json.dumps(state))  # plain JSON for the status page
    assert os.stat(backup_status.status_path(source.settings.state_dir)).st_mode & 0o077 == 0
