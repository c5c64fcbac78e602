"""cic-asterisk.service's commands work under the unit's own restrictions.

This machine has no systemd as PID 1, so the unit is played by hand: its ExecStartPre
(``cic services prepare``, as root) renders a fresh instance, then its ExecStart runs under
the unit's CapabilityBoundingSet and NoNewPrivileges (``setpriv``), its UMask and its
MemoryDenyWriteExecute (``PR_SET_MDWE``, the kernel's form of it). Asterisk must boot fully
and run as asterisk:cic. Only as root (skipped otherwise).
"""

from __future__ import annotations

import ctypes
import grp
import os
import pwd
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.integration.harness import REPO

pytestmark = pytest.mark.integration
ASTERISK_ROOT = Path("/var/cache/cic/asterisk-root")
if os.geteuid() != 0 or not (ASTERISK_ROOT / "usr/sbin/asterisk").exists():
    pytest.skip("needs root and the cached Asterisk root", allow_module_level=True)

PYTHON = "/usr/bin/python3"
INSTANCE = f"sysd{os.getpid()}"
PORTS = {  # this test's own block (30700-30799)
    "CIC_ASTERISK__AMI_PORT": "30790",
    "CIC_ASTERISK__AGI_PORT": "30791",
    "CIC_ASTERISK__SIP_PORT": "30792",
    "CIC_ASTERISK__HTTP_PORT": "30793",
    "CIC_WEB_PORT": "30794",
    "CIC_ASTERISK__RTP_START": "30700",
    "CIC_ASTERISK__RTP_END": "30749",
}
# Sets PR_SET_MDWE (kept across exec) and the umask, then runs the command.
MDWE = (
    "import ctypes, os, sys; libc = ctypes.CDLL(None, use_errno=True);"
    " sys.exit('PR_SET_MDWE failed') if libc.prctl(65, 1, 0, 0, 0) else None;"
    " os.umask(int(sys.argv[1], 8)); os.execv(sys.argv[2], sys.argv[2:])"
)


def mdwe_supported() -> bool:
    """PR_GET_MDWE answers (Linux 6.3 or later)."""
    return ctypes.CDLL(None).prctl(66, 0, 0, 0, 0) >= 0


def one(text: str, key: str) -> str:
    found = re.findall(rf"^{key}=(.*)$", text, re.MULTILINE)
    assert len(found) == 1, (key, found)
    return str(found[0])


def status(pid: int) -> dict[str, list[str]]:
    lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    return {k: v.split() for k, _, v in (line.partition(":") for line in lines)}


def test_asterisk_boots_under_the_units_restrictions(tmp_path: Path) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CIC_")},
        **PORTS,
        "PYTHONPATH": str(REPO),
        "CIC_STATE_DIR": str(tmp_path / "state"),
        "CIC_ASTERISK__ROOT": str(ASTERISK_ROOT),
        "CIC_ASTERISK__INSTANCE": INSTANCE,
    }
    cic = [sys.executable, "-m", "cic"]
    out = tmp_path / "out"
    subprocess.run([*cic, "services", "install", "--root", str(out), "--python", PYTHON],
                   env=env, check=True, capture_output=True)  # fmt: skip
    unit = (out / "etc/systemd/system/cic-asterisk.service").read_text()
    pre = one(unit, "ExecStartPre")
    assert pre == f"+{PYTHON} -m cic services prepare"
    instance = ASTERISK_ROOT / "srv/cic" / INSTANCE
    proc = None
    try:
        # ExecStartPre, as root (the interpreter of this test session: same cic code).
        subprocess.run([*cic, "services", "prepare"], env=env, check=True, capture_output=True)
        assert (instance / "etc/asterisk.conf").exists()
        cic_uid = pwd.getpwnam("cic").pw_uid
        for path in [tmp_path / "state", *(tmp_path / "state").rglob("*")]:
            assert path.lstat().st_uid == cic_uid, path  # the controller's, though root made it
        caps = one(unit, "CapabilityBoundingSet").split()
        bounding = ",".join(["-all", *(f"+{c.removeprefix('CAP_').lower()}" for c in caps)])
        assert one(unit, "NoNewPrivileges") == "yes"
        start = shlex.split(one(unit, "ExecStart"))
        wrapper = [PYTHON, "-c", MDWE, one(unit, "UMask")] if mdwe_supported() else []
        assert one(unit, "MemoryDenyWriteExecute") == "yes"
        proc = subprocess.Popen(
            ["setpriv", "--no-new-privs", "--bounding-set", bounding, "--", *wrapper, *start],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
        cli = [*start[: start.index("-f")], "-rx"]
        booted = None
        for _ in range(120):
            assert proc.poll() is None, "Asterisk exited under the unit's restrictions"
            booted = subprocess.run([*cli, "core waitfullybooted"], capture_output=True,
                                    text=True, timeout=30, check=False)  # fmt: skip
            if booted.returncode == 0:
                break
            time.sleep(0.5)
        assert booted is not None and "fully booted" in booted.stdout
        st = status(proc.pid)
        asterisk, cic_group = pwd.getpwnam("asterisk"), grp.getgrnam("cic")
        assert st["Uid"] == [str(asterisk.pw_uid)] * 4
        assert st["Gid"] == [str(cic_group.gr_gid)] * 4
        assert int(st["CapEff"][0], 16) == 1 << 12  # CAP_NET_ADMIN only
        assert st["NoNewPrivs"] == ["1"]
        reload = shlex.split(one(unit, "ExecReload"))
        assert subprocess.run(reload, capture_output=True, timeout=30, check=False).returncode == 0
        subprocess.run([*cli, "core stop now"], capture_output=True, timeout=30, check=False)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc is not None and proc.poll() is None:
            os.killpg(proc.pid, 9)
            proc.wait()
        shutil.rmtree(instance, ignore_errors=True)
