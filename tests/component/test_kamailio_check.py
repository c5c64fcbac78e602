"""The rendered kamailio.cfg passes Kamailio's own check (``kamailio -c``), through
``cic ha kamailio-config``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def test_cic_ha_kamailio_config_writes_files_kamailio_accepts(tmp_path: Path) -> None:
    if not shutil.which("kamailio") and not Path("/usr/sbin/kamailio").exists():
        if os.environ.get("CI") == "true":
            pytest.fail("kamailio is missing (bash bin/install-deps)")
        pytest.skip("kamailio is missing (bash bin/install-deps)")
    env = {**os.environ, "CIC_STATE_DIR": str(tmp_path / "state"),
           "CIC_HA__LISTEN": "10.0.0.10:5060",
           "CIC_HA__NODES": "['10.0.0.11:5060', '10.0.0.12:5060']"}  # fmt: skip
    out = tmp_path / "kamailio"
    done = subprocess.run(
        [sys.executable, "-m", "cic.cli", "ha", "kamailio-config", "--out", str(out)],
        env=env, capture_output=True, text=True, check=False, cwd=REPO,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["check"] == "config file ok, exiting..."
    assert report["nodes"] == ["sip:10.0.0.11:5060", "sip:10.0.0.12:5060"]
    assert sorted(p.name for p in out.iterdir()) == ["dispatcher.list", "kamailio.cfg"]
    refused = subprocess.run(
        [sys.executable, "-m", "cic.cli", "ha", "kamailio-config", "--out", str(tmp_path / "x")],
        env={**env, "CIC_HA__NODES": "['10.0.0.11']"}, capture_output=True, text=True,
        check=False, cwd=REPO,
    )  # fmt: skip
    assert refused.returncode == 1 and "ha.nodes[0]" in refused.stderr
    assert not (tmp_path / "x").exists()
