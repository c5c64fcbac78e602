"""Personal data and secrets on disk: umask 027, the state directory 0700, files 0600."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from cic import cli
from cic.credentials import Credentials
from cic.private import open_private_log, private_dir, write_private


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask() -> Iterator[None]:
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_an_old_install_readable_by_all_is_closed_up(tmp_path: Path, umask: None) -> None:
    state = tmp_path / "cic"
    state.mkdir(mode=0o755)
    db = state / "cic.db"
    conn = sqlite3.connect(db)  # an older version's files, world-readable; kept open so
    conn.execute("PRAGMA journal_mode=WAL")  # that its WAL stays beside the database
    conn.execute("CREATE TABLE t (x)")
    conn.execute("INSERT INTO t VALUES (1)")
    conn.commit()
    for path in state.iterdir():
        os.chmod(path, 0o644)
    assert "cic.db-wal" in os.listdir(state)
    os.environ["CIC_STATE_DIR"] = str(state)
    try:
        assert cli.main(["users", "list"]) == 0
    finally:
        del os.environ["CIC_STATE_DIR"]
        conn.close()
    assert os.umask(0o022) == 0o027  # cli.main set it for itself and what it starts
    modes = {p.name: mode(p) for p in state.iterdir() if p.name.startswith("cic.db")}
    assert modes and set(modes.values()) == {0o600}, modes


def test_a_new_database_and_its_wal_are_private_from_the_start(tmp_path: Path, umask: None) -> None:
    os.environ["CIC_STATE_DIR"] = str(tmp_path)
    try:
        assert cli.main(["users", "list"]) == 0
    finally:
        del os.environ["CIC_STATE_DIR"]
    made = [p for p in tmp_path.iterdir() if p.name.startswith("cic.db")]
    assert made and all(mode(p) == 0o600 for p in made), [(p.name, oct(mode(p))) for p in made]


def test_state_dir_logs_pid_files_and_secrets(tmp_path: Path, umask: None) -> None:
    state = tmp_path / "state"
    state.mkdir(mode=0o755)
    assert mode(private_dir(state)) == 0o700
    assert mode(private_dir(tmp_path / "new" / "state")) == 0o700
    log = state / "cic.log"
    log.write_text("stary wpis\n")
    os.chmod(log, 0o644)
    with open_private_log(log) as handle:
        handle.write(b"nowy wpis\n")
    assert mode(log) == 0o600 and log.read_text() == "stary wpis\nnowy wpis\n"
    write_private(state / "cic.pid", "123\n")
    write_private(state / "cic.pid", "45\n")
    assert mode(state / "cic.pid") == 0o600 and (state / "cic.pid").read_text() == "45\n"
    secrets_dir = tmp_path / "fresh"
    assert Credentials(secrets_dir / "secrets.json").api_token
    assert mode(secrets_dir) == 0o700 and mode(secrets_dir / "secrets.json") == 0o600
