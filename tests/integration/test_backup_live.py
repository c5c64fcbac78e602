"""``cic backup`` while the real controller runs (a recorded call just ended): the archive
holds the call's recording with the checksum the controller recorded, the status page shows
the backup, a restore onto the running instance is refused, and the archive restores into a
fresh instance elsewhere."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from cic.backup.archive import verify
from cic.calls.models import Call, Recording
from cic.config import load_settings
from cic.db import Store
from cic.demo.scenarios import AgentPhone, ResidentCall
from tests.integration.harness import REPO, Harness, free_port

pytestmark = pytest.mark.integration


def cic(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """The ``cic`` command with the instance's environment."""
    return subprocess.run(
        [sys.executable, "-m", "cic.cli", *args], env={**os.environ, **env}, cwd=REPO,
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def test_backup_of_a_running_controller_restores_into_a_fresh_instance(
    pbx: Harness, tmp_path: Path
) -> None:
    pbx.login("kopia1", AgentPhone(ring_ms=1000))
    resident = ResidentCall(number="48500100290", hangup_after_ms=17_000)
    call = pbx.complete_call(resident, lambda c: bool(c["ended_at"] and c["recordings"]), 30)
    [recorded] = call["recordings"]

    made = cic(pbx.env, "backup", "--to", str(tmp_path / "kopie"))

    assert made.returncode == 0, made.stderr
    [archive] = (tmp_path / "kopie").glob("cic-backup-*.tar")
    manifest = verify(archive).manifest
    [member] = [
        m for m in manifest.of_kind("recording") if m.name.endswith(f"/{call['call_id']}.wav")
    ]
    assert member.verified and member.sha256 == recorded["sha256"]
    assert manifest.database_kind == "sqlite" and manifest.tables["calls"] >= 1
    shown = pbx.api("GET", "/api/status")["backup"]
    assert shown["ok"] is True and shown["last_archive"] == str(archive)

    refused = cic(pbx.env, "restore", str(archive), "--force")
    assert refused.returncode == 1 and "Kontroler cic działa" in refused.stderr

    fresh = {
        **pbx.env, "CIC_STATE_DIR": str(tmp_path / "nowa"), "CIC_WEB_PORT": str(free_port()),
        "CIC_SPEECH__RECORDINGS_ROOT": str(tmp_path / "nagrania"),
    }  # fmt: skip
    restored = cic(fresh, "restore", str(archive))

    assert restored.returncode == 0, restored.stderr
    assert "połączenia:" in restored.stdout
    store = Store(load_settings(environ=fresh).db_url)
    try:
        row = store.run_sync(lambda s: s.scalars(
            select(Recording).where(Recording.call_id == call["call_id"])).one())  # fmt: skip
        calls = store.run_sync(lambda s: len(s.scalars(select(Call)).all()))
        path, digest = Path(row.path), row.sha256
    finally:
        store.engine.dispose()
    assert calls == manifest.tables["calls"]
    assert path.is_relative_to(tmp_path / "nagrania") and digest == recorded["sha256"]
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
