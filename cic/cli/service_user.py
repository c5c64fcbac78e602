"""``cic up`` started as root runs the controller as the ``cic`` system user, not as root.

The state directory (database, secrets, logs, models) is handed to that user; what the
controller does at run time needs no more: it renders Asterisk's configuration and prompts
into directories it owns (group ``cic``, read by Asterisk), reads the recordings through the
group, deletes old ones from folders it owns, and reloads Asterisk over AMI.

The controller can run as ``cic`` only if that user can start this Python with cic (a
Python or a checkout under ``/root`` is out of its reach) and reach the state directory;
otherwise it stays root and ``cic up`` says so.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cic.asterisk import accounts, provision
from cic.config import Settings

PROBE = "import os, sys, cic.cli; sys.exit(0 if os.access(sys.argv[1], os.X_OK) else 3)"


@dataclass(frozen=True)
class RunAs:
    """The account the controller process gets."""

    uid: int
    gid: int

    def popen(self) -> dict[str, Any]:
        """``subprocess.Popen`` arguments that start the child as this account."""
        return {"user": self.uid, "group": self.gid, "extra_groups": [], "umask": 0o027}


def service_account(settings: Settings, env: dict[str, str]) -> tuple[RunAs | None, str]:
    """The account to run ``cic serve`` as (``None``: as this process) and a line saying who.

    As root, the ``cic`` user is made if missing and the state directory handed to it.
    """
    if not accounts.managed():
        return None, "bieżący użytkownik (cic up uruchomiono nie jako root)"
    ids = accounts.ensure(provision.locate(settings).root)
    assert ids is not None
    state = Path(settings.state_dir).resolve()
    if not own_folder(state):
        return None, f"root — UWAGA: {state} nie jest osobnym katalogiem cic (state_dir)"
    run_as = RunAs(ids.cic_uid, ids.cic_gid)
    if not _can_run(run_as, env, state):
        return None, (
            f"root — UWAGA: użytkownik {accounts.SERVICE_USER} nie może uruchomić "
            f"{sys.executable} z cic albo dojść do {state} (np. Python lub kod w /root); "
            "zainstaluj cic tam, gdzie ma dostęp"
        )
    hand_over(state, run_as)
    return run_as, f"użytkownik {accounts.SERVICE_USER}"


def own_folder(state: Path) -> bool:
    """True when ``state`` is a folder of cic's own (not / or /var, not a sticky /tmp)."""
    return len(state.parts) >= 3 and not state.stat().st_mode & 0o1000


def _can_run(run_as: RunAs, env: dict[str, str], state: Path) -> bool:
    """True when ``run_as`` can start this Python, import cic and reach ``state``."""
    try:
        probe = subprocess.run(
            [sys.executable, "-c", PROBE, str(state.parent)], env=env, cwd="/",
            capture_output=True, timeout=120, check=False, **run_as.popen(),
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):  # e.g. the interpreter is not reachable
        return False
    return probe.returncode == 0


def hand_over(state: Path, run_as: RunAs) -> None:
    """chown the state directory and everything in it to the controller's account."""
    os.chown(state, run_as.uid, run_as.gid)
    for folder, dirs, files in os.walk(state):
        for name in [*dirs, *files]:
            path = os.path.join(folder, name)
            info = os.lstat(path)
            if (info.st_uid, info.st_gid) != (run_as.uid, run_as.gid):
                os.lchown(path, run_as.uid, run_as.gid)
