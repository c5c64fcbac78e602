"""SIP passwords are derived from the secrets file's key: every node whose controller holds
a copy of the file gives a new agent the same password (several nodes behind Kamailio)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from cic.credentials import Credentials


def test_copies_of_the_file_derive_the_same_new_passwords(tmp_path: Path) -> None:
    node_a = Credentials(tmp_path / "a" / "secrets.json")
    node_a.agi_secret  # noqa: B018 - makes the file
    node_a.sip_password("agent-anna")
    (tmp_path / "b").mkdir()
    shutil.copy2(node_a.path, tmp_path / "b" / "secrets.json")
    node_b = Credentials(tmp_path / "b" / "secrets.json")
    # an agent added after the copy: the same password on both nodes, none on another install
    assert node_a.sip_password("agent-nowa") == node_b.sip_password("agent-nowa")
    assert node_a.sip_password("agent-nowa") != node_a.sip_password("agent-anna")
    other = Credentials(tmp_path / "c" / "secrets.json")
    assert other.sip_password("agent-nowa") != node_a.sip_password("agent-nowa")
    assert len(node_a.sip_password("agent-nowa")) == 24


def test_a_password_kept_by_an_earlier_version_stays(tmp_path: Path) -> None:
    path = tmp_path / "secrets.json"
    path.write_text(json.dumps({"sip": {"agent-anna": "kept-password-1"}}), encoding="utf-8")
    assert Credentials(path).sip_password("agent-anna") == "kept-password-1"
