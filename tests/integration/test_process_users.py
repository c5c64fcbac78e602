"""Processes run as the intended users, and their files are shared through group ``cic`` only.

* Asterisk (started as root by the harness or ``cic up``) runs as ``asterisk`` with group
  ``cic``, no other groups, umask 027; the recordings of a real call are 0640
  ``asterisk:cic`` in day folders the controller's user owns (2770), which that user can
  read and delete (retention), and nobody else can enter.
* ``cic up`` as root runs the controller as ``cic``; an agent added through it is rendered
  and reloaded into the live Asterisk.

Only meaningful as root (cic then makes and uses the accounts); skipped otherwise.
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cic.asterisk import process, provision
from cic.demo.scenarios import ResidentCall
from tests.integration.harness import REPO, Harness, instance_env

pytestmark = pytest.mark.integration
if os.geteuid() != 0:
    pytest.skip("cic manages users and owners only when run as root", allow_module_level=True)

SYSTEM_PYTHON = "/usr/bin/python3"
VENV = Path("/var/cache/cic/test-controller-venv")


def _status(pid: int) -> dict[str, list[str]]:
    lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    return {k: v.split() for k, _, v in (line.partition(":") for line in lines)}


def _as_cic(*code: str) -> subprocess.CompletedProcess[str]:
    """Run Python code as user cic (the system Python: reachable by any user)."""
    cic = pwd.getpwnam("cic")
    return subprocess.run(
        [SYSTEM_PYTHON, "-c", ";".join(code)], user=cic.pw_uid, group=cic.pw_gid,
        extra_groups=[], capture_output=True, text=True, check=False, cwd="/",
    )  # fmt: skip


def _asterisk_runs_as_asterisk(layout: provision.Layout) -> None:
    pid = process.running_pid(layout)
    assert pid is not None
    status = _status(pid)
    asterisk, cic = pwd.getpwnam("asterisk"), grp.getgrnam("cic")
    assert status["Uid"] == [str(asterisk.pw_uid)] * 4, status["Uid"]
    assert status["Gid"] == [str(cic.gr_gid)] * 4, status["Gid"]
    assert status["Groups"] == [] and status["Umask"] == ["0027"]
    assert asterisk.pw_uid != 0 and pwd.getpwuid(asterisk.pw_uid).pw_name == "asterisk"


def test_asterisk_runs_as_asterisk_and_recordings_are_shared_with_group_cic(pbx: Harness) -> None:
    layout = provision.locate(pbx.settings)
    _asterisk_runs_as_asterisk(layout)
    cic_gid = grp.getgrnam("cic").gr_gid
    etc = layout.host(f"{layout.inst}/etc")
    for conf in etc.glob("*.conf"):  # secrets inside: the group reads, others nothing
        info = conf.stat()
        assert (stat.S_IMODE(info.st_mode), info.st_gid) == (0o640, cic_gid), conf
    ctl = layout.host(f"{layout.inst}/run/asterisk.ctl").stat()
    assert stat.S_IMODE(ctl.st_mode) == 0o600  # the CLI: its owner (and root) only

    pbx.login("uzytkownicy")
    call = pbx.complete_call(
        ResidentCall(number="48500100990", hangup_after_ms=15_000),
        lambda c: bool(c["ended_at"] and c["recordings"]), 30,
    )  # fmt: skip
    mixed = Path(call["recordings"][0]["path"])
    files = sorted(mixed.parent.glob(f"{call['call_id']}*.wav"))
    assert len(files) == 3, files  # the mix and each speaker's side
    asterisk_uid = pwd.getpwnam("asterisk").pw_uid
    for path in files:
        info = path.stat()
        assert stat.S_IMODE(info.st_mode) == 0o640, path
        assert (info.st_uid, info.st_gid) == (asterisk_uid, cic_gid), path
    recordings = layout.host(layout.recordings)
    # made ahead by the controller (the harness runs it as the test's user) or by `cic up`
    owners = {os.geteuid(), pwd.getpwnam("cic").pw_uid}
    folder = mixed.parent
    while True:
        info = folder.stat()
        assert stat.S_IMODE(info.st_mode) == 0o2770, folder
        assert info.st_uid in owners and info.st_gid == cic_gid, folder
        if folder == recordings:
            break
        folder = folder.parent
    side = files[0]
    reads = _as_cic(f"print(len(open({str(mixed)!r}, 'rb').read(44)))")
    assert reads.stdout.strip() == "44", reads.stderr
    deletes = _as_cic(f"import os; os.unlink({str(side)!r})")  # retention's unlink
    assert deletes.returncode == 0 and not side.exists(), deletes.stderr
    nobody = pwd.getpwnam("nobody")
    peek = subprocess.run(
        ["ls", str(mixed.parent)], user=nobody.pw_uid, group=nobody.pw_gid, extra_groups=[],
        capture_output=True, check=False,
    )  # fmt: skip
    assert peek.returncode != 0  # others cannot even list the folder


def _controller_python() -> str:
    """A Python the cic user can run cic with: this one, or a venv of the system Python
    with cic's requirements (this one may live under /root, out of cic's reach)."""
    cic = pwd.getpwnam("cic")
    probe = [sys.executable, "-c", "import cic.cli"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    kwargs = {"user": cic.pw_uid, "group": cic.pw_gid, "extra_groups": [], "cwd": "/"}
    try:
        usable = subprocess.run(probe, env=env, capture_output=True, check=False, **kwargs)
        if usable.returncode == 0:
            return sys.executable
    except PermissionError:  # under /root, say
        pass
    python = VENV / "bin/python"
    requires = _install_requires()
    # made again when cic's requirements change (a cached venv without a new library
    # failed the controller's start)
    stamp = VENV / "cic-requires.txt"
    wanted = "\n".join(requires)
    if not python.exists() or not stamp.exists() or stamp.read_text() != wanted:
        if not Path(SYSTEM_PYTHON).exists():
            pytest.skip(f"cic cannot run {sys.executable} and there is no {SYSTEM_PYTHON}")
        shutil.rmtree(VENV, ignore_errors=True)
        subprocess.run([SYSTEM_PYTHON, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(VENV / "bin/pip"), "install", "-q", *requires], check=True)
        stamp.write_text(wanted)
    return str(python)


def _install_requires() -> list[str]:
    import configparser

    config = configparser.ConfigParser()
    config.read(REPO / "setup.cfg")
    return [r.strip() for r in config["options"]["install_requires"].splitlines() if r.strip()]


@pytest.fixture
def up_env() -> Iterator[dict[str, str]]:
    """Settings for a `cic up` of its own: free ports, a state dir cic can reach."""
    state = Path(tempfile.mkdtemp(prefix="cic-up-", dir="/tmp"))
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        **instance_env(state, f"users-{os.getpid()}", 19800, 100),  # below the harnesses' ranges
    }
    yield env
    subprocess.run([sys.executable, "-m", "cic.cli", "down"], env=env, cwd="/", check=False)
    shutil.rmtree(state, ignore_errors=True)


def test_cic_up_as_root_runs_the_controller_as_cic(up_env: dict[str, str]) -> None:
    python = _controller_python()
    started = subprocess.run(
        [python, "-m", "cic.cli", "up"], env=up_env, cwd="/", capture_output=True, text=True,
        timeout=600, check=False,
    )  # fmt: skip
    assert started.returncode == 0, started.stdout[-2000:] + started.stderr[-2000:]
    assert "Kontroler:     użytkownik cic" in started.stdout
    state = Path(up_env["CIC_STATE_DIR"])
    pid = int((state / "cic-controller.pid").read_text())
    cic = pwd.getpwnam("cic")
    status = _status(pid)
    assert status["Uid"] == [str(cic.pw_uid)] * 4 and status["Gid"] == [str(cic.pw_gid)] * 4
    assert status["Groups"] == []
    for name in ("cic.db", "secrets.json", "cic.log"):
        assert (state / name).stat().st_uid == cic.pw_uid, name
    # personal data and secrets: the state directory 0700, its database, log, pid file and
    # secrets 0600, nothing in it for other users
    assert stat.S_IMODE(state.stat().st_mode) == 0o700
    for name in ("cic.db", "secrets.json", "cic.log", "cic-controller.pid"):
        assert stat.S_IMODE((state / name).stat().st_mode) == 0o600, name
    for path in state.rglob("*"):
        assert not path.lstat().st_mode & 0o007, path
    from cic.config import load_settings

    settings = load_settings(environ=up_env)
    layout = provision.locate(settings)
    _asterisk_runs_as_asterisk(layout)
    # what the controller does at run time works without root: render, reload over AMI
    added = subprocess.run(
        [sys.executable, "-m", "cic.cli", "agents", "add", "jako-cic", "Jako Cic", "--contact",
         "sip:agent-jako-cic@127.0.0.1:5999"],
        env=up_env, cwd="/", capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert added.returncode == 0, added.stdout + added.stderr
    deadline = time.monotonic() + 20
    while "agent-jako-cic" not in process.rx(layout, "pjsip show endpoints"):
        assert time.monotonic() < deadline, "the controller's reload did not reach Asterisk"
        time.sleep(0.3)
    pjsip = layout.host(f"{layout.inst}/etc/pjsip.conf").stat()
    assert pjsip.st_uid == cic.pw_uid and stat.S_IMODE(pjsip.st_mode) == 0o640
