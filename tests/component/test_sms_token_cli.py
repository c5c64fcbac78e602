"""``cic sms token`` end to end: the real command in a subprocess stores the token read from
standard input in the 0600 secrets file (never echoing it), and refuses what is not a token."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from cic.credentials import Credentials

REPO = Path(__file__).resolve().parents[2]
TOKEN = "Ab12-cd34_EF56.gh78"


def cic(state: Path, given: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CIC_")}
    env.update(CIC_STATE_DIR=str(state), PYTHONPATH=str(REPO))
    return subprocess.run(
        [sys.executable, "-m", "cic.cli", "sms", "token"], input=given,
        env=env, cwd=state, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def test_the_token_goes_to_the_secrets_file(tmp_path: Path) -> None:
    done = cic(tmp_path, TOKEN + "\n")
    assert done.returncode == 0, done.stderr
    assert TOKEN not in done.stdout and json.loads(done.stdout)["klucz"] == "sms_token"
    secrets = tmp_path / "secrets.json"
    assert Credentials(secrets).sms_token == TOKEN
    assert stat.S_IMODE(secrets.stat().st_mode) == 0o600


@pytest.mark.parametrize("given", ["", "\n", "dwa słowa\n", "x" * 600 + "\n", "a\tb\n"])
def test_what_is_not_a_token_is_refused(tmp_path: Path, given: str) -> None:
    done = cic(tmp_path, given)
    assert done.returncode == 1 and "token API" in done.stderr
    assert Credentials(tmp_path / "secrets.json").sms_token == ""
