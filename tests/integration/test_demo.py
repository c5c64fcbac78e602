"""``cic demo call``, the command the README points a new user to, on a real Asterisk."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.integration.harness import REPO, Harness

pytestmark = pytest.mark.integration


def test_demo_call_is_answered_recorded_and_listed(pbx: Harness) -> None:
    env = {**os.environ, **pbx.env}
    result = subprocess.run(
        [sys.executable, "-m", "cic.cli", "demo", "call", "--seconds", "4"],
        env=env, cwd=REPO, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Połączenie zarejestrowane" in result.stdout
    assert "Nikt nie jest dostępny w przeglądarce" in result.stdout  # the SIPp agent answers
    assert "answered" in result.stdout and "konsultant=PJSIP/agent-demo" in result.stdout
    assert "nagranie: " in result.stdout
    listed = subprocess.run(
        [sys.executable, "-m", "cic.cli", "calls", "list", "--limit", "1"],
        env=env, cwd=REPO, capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert listed.returncode == 0, listed.stderr
    assert "kolejka=pierwsza-linia" in listed.stdout
    assert pbx.api("GET", "/api/agents/demo")["state"] == "offline"
