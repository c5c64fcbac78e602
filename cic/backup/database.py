"""The database in a backup: SQLite by its online backup API (a consistent copy while the
controller writes), PostgreSQL by ``pg_dump --format=custom`` inside an exported snapshot
(so the row counts and the recordings' checksums read beside it are of the same moment);
back by copying the file in, or ``pg_restore`` into the configured, empty database.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from sqlalchemy import Connection, func, inspect, select, table, text
from sqlalchemy.engine import URL

from cic.backup.errors import BackupError
from cic.db import make_engine, normalize_url
from cic.private import SQLITE_COMPANIONS, private_database

Kind = Literal["sqlite", "postgresql"]
RECORDING_TABLES = ("recordings", "recording_channels")
TIMEOUT = 6 * 3600


@dataclass
class Dump:
    """A database copied into ``file``: its kind, Alembic revision, every table's row count
    and the checksum the database holds for each recording file (by path)."""

    kind: Kind
    file: Path
    revision: str
    tables: dict[str, int]
    checksums: dict[str, str] = field(default_factory=dict)


def kind_of(url: str | URL) -> Kind:
    """``sqlite`` or ``postgresql`` (anything else is refused)."""
    backend = normalize_url(url).get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise BackupError(f"Kopie zapasowe obsługują SQLite i PostgreSQL, nie {backend}.")
    return "sqlite" if backend == "sqlite" else "postgresql"


def sqlite_path(url: str | URL) -> Path:
    """The SQLite file of ``url``."""
    database = normalize_url(url).database
    if not database or database == ":memory:":
        raise BackupError("Baza SQLite w pamięci nie ma pliku do skopiowania.")
    return Path(database)


def libpq(url: str | URL) -> tuple[str, dict[str, str]]:
    """A libpq connection URI for pg_dump/pg_restore and the environment with the password
    (never on the command line, where ``ps`` shows it)."""
    parsed = normalize_url(url)
    env = {**os.environ}
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    uri = parsed.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return uri, env


def _facts(conn: Connection) -> tuple[str, dict[str, int], dict[str, str]]:
    names = sorted(inspect(conn).get_table_names())
    counts = {n: int(conn.execute(select(func.count()).select_from(table(n))).scalar_one())
              for n in names}  # fmt: skip
    revision = ""
    if "alembic_version" in names:
        revision = str(conn.execute(text("SELECT version_num FROM alembic_version")).scalar() or "")
    sums: dict[str, str] = {}
    for name in RECORDING_TABLES:
        if name in names:
            rows = conn.execute(text(f"SELECT path, sha256 FROM {name}"))  # noqa: S608 (fixed names)
            sums.update({os.path.normpath(p): s for p, s in rows})
    return revision, counts, sums


def dump(url: str | URL, folder: Path) -> Dump:
    """Copy the database at ``url`` into ``folder`` (which must be private)."""
    if kind_of(url) == "sqlite":
        return _dump_sqlite(sqlite_path(url), folder / "cic.sqlite3")
    return _dump_postgres(url, folder / "cic.pgdump")


def _dump_sqlite(source: Path, target: Path) -> Dump:
    if not source.is_file():
        raise BackupError(f"Nie ma bazy danych {source}.")
    try:
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
        dst = sqlite3.connect(target)
        try:
            src.backup(dst, pages=4096)  # in steps: writers wait briefly, never long
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal
        finally:
            src.close()
            dst.close()
    except sqlite3.Error as exc:
        if getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL:
            raise BackupError(
                "Brak miejsca na dysku na kopię bazy SQLite; niedokończonego archiwum nie ma."
            ) from exc
        raise BackupError(f"Nie można skopiować bazy SQLite {source}: {exc}.") from exc
    engine = make_engine(f"sqlite:///{target}")
    try:
        with engine.connect() as conn:
            revision, counts, sums = _facts(conn)
    finally:
        engine.dispose()
    return Dump("sqlite", target, revision, counts, sums)


def _run(argv: list[str], env: dict[str, str], what: str) -> None:
    if shutil.which(argv[0]) is None:
        raise BackupError(f"Brak programu {argv[0]}: apt-get install postgresql-client.")
    done = subprocess.run(
        argv, env=env, capture_output=True, text=True, timeout=TIMEOUT, check=False
    )
    if done.returncode != 0:
        tail = " ".join(done.stderr.strip().splitlines()[-3:])
        raise BackupError(f"{what} nie powiódł się (kod {done.returncode}): {tail}")


def _dump_postgres(url: str | URL, target: Path) -> Dump:
    uri, env = libpq(url)
    with _engine(url, "Nie można odczytać bazy PostgreSQL") as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            conn.execute(text("SET TRANSACTION READ ONLY"))
            snapshot = str(conn.execute(text("SELECT pg_export_snapshot()")).scalar_one())
            argv = ["pg_dump", "--format=custom", "--no-owner", "--no-acl",
                    f"--snapshot={snapshot}", f"--file={target}", f"--dbname={uri}"]  # fmt: skip
            _run(argv, env, "pg_dump")
            revision, counts, sums = _facts(conn)
    return Dump("postgresql", target, revision, counts, sums)


def _first_line(exc: BaseException) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0][:300]


def tables(url: str | URL) -> list[str]:
    """The tables in the database at ``url`` (empty for a SQLite file that is not there)."""
    if kind_of(url) == "sqlite":
        path = sqlite_path(url)
        if not path.exists() or path.stat().st_size == 0:
            return []
    with _engine(url) as conn:
        return sorted(inspect(conn).get_table_names())


@contextmanager
def _engine(
    url: str | URL, failed: str = "Nie można połączyć się z bazą danych"
) -> Iterator[Connection]:
    """A connection; any failure but a ``BackupError`` becomes one, ``failed`` first."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            yield conn
    except BackupError:
        raise
    except Exception as exc:
        raise BackupError(f"{failed}: {_first_line(exc)}") from exc
    finally:
        engine.dispose()


def counts(url: str | URL) -> dict[str, int]:
    """Every table's row count in the database at ``url``."""
    with _engine(url) as conn:
        return _facts(conn)[1]


def load(url: str | URL, kind: Kind, file: Path) -> None:
    """Put the copy ``file`` into the database at ``url``, replacing what is there (the
    caller has checked it is empty or that ``--force`` was given)."""
    if kind != kind_of(url):
        raise BackupError(
            f"Kopia zawiera bazę {kind}, a ustawiona jest {kind_of(url)}: przeniesienie między"
            " rodzajami baz nie jest obsługiwane (odtwórz do bazy tego samego rodzaju)."
        )
    if kind == "sqlite":
        _load_sqlite(sqlite_path(url), file)
    else:
        _load_postgres(url, file)


def _load_sqlite(target: Path, file: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.name}.restore")
    shutil.copyfile(file, temp)
    os.chmod(temp, 0o600)
    for suffix in SQLITE_COMPANIONS:  # a WAL of the replaced database must not be replayed
        target.with_name(target.name + suffix).unlink(missing_ok=True)
    os.replace(temp, target)
    private_database(target)


def _load_postgres(url: str | URL, file: Path) -> None:
    with _engine(url) as conn:
        if inspect(conn).get_table_names():
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
            conn.commit()
    uri, env = libpq(url)
    argv = ["pg_restore", "--no-owner", "--no-acl", "--exit-on-error", "--single-transaction",
            f"--dbname={uri}", str(file)]  # fmt: skip
    _run(argv, env, "pg_restore")
