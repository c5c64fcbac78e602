"""Start, stop and query one Asterisk instance (system binary or the cached chroot).

Started by root, Asterisk runs as user ``asterisk`` with group ``cic`` (``-U``/``-G``: it
drops root itself, keeping only CAP_NET_ADMIN) and umask 027, so its recordings are 0640;
see :mod:`cic.asterisk.accounts` and :mod:`cic.asterisk.ownership`.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

from cic.asterisk import accounts, ownership
from cic.asterisk.provision import Layout, ProvisionError

UMASK = 0o027


def _pidfile(layout: Layout) -> Path:
    return layout.host(f"{layout.inst}/run/cic-asterisk.pid")


def running_pid(layout: Layout) -> int | None:
    """The pid of this instance's Asterisk if it is running."""
    path = _pidfile(layout)
    try:
        pid = int(path.read_text().strip())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    return pid if layout.conf_file.encode() in cmdline else None


def rx(layout: Layout, command: str, timeout: float = 10) -> str:
    """Run one Asterisk CLI command on the instance (``asterisk -rx``)."""
    result = subprocess.run(
        layout.command("-rx", command), capture_output=True, text=True, timeout=timeout, check=False
    )
    if result.returncode != 0:
        raise ProvisionError(f"asterisk -rx {command!r} failed: {result.stderr.strip()[:300]}")
    return result.stdout


def start(layout: Layout, ami_port: int, timeout: float = 60) -> int:
    """Start the instance in the background and wait until it is fully booted and AMI listens."""
    pid = running_pid(layout)
    if pid:
        return pid
    prepare(layout)
    run_as = _run_as(layout)
    console_log = layout.host(f"{layout.inst}/log/console.log").open("ab")
    proc = subprocess.Popen(
        layout.command("-f", *run_as),
        stdin=subprocess.DEVNULL,
        stdout=console_log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        umask=UMASK,
    )
    _pidfile(layout).write_text(f"{proc.pid}\n")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = layout.host(f"{layout.inst}/log/console.log").read_text(errors="replace")[-2000:]
            raise ProvisionError(f"asterisk exited with {proc.returncode}:\n{tail}")
        if _port_open("127.0.0.1", ami_port):
            try:
                rx(layout, "core waitfullybooted", timeout=max(1.0, deadline - time.monotonic()))
                return proc.pid
            except (ProvisionError, subprocess.TimeoutExpired):
                pass
        time.sleep(0.2)
    stop(layout)
    raise ProvisionError(f"asterisk did not boot within {timeout:.0f} s")


def prepare(layout: Layout) -> None:
    """Make the instance's and (in the cached root) Asterisk's own directories, and give the
    root the host's /etc/hosts (Asterisk resolves the host's name at every call)."""
    for sub in ("run", "log", "lib", "spool"):
        layout.host(f"{layout.inst}/{sub}").mkdir(parents=True, exist_ok=True)
    if layout.chrooted:
        for sub in (
            "var/lib/asterisk",
            "var/run/asterisk",
            "var/log/asterisk",
            "var/spool/asterisk",
        ):
            (layout.root / sub).mkdir(parents=True, exist_ok=True)
        hosts = Path("/etc/hosts")
        if hosts.exists() and hosts.read_bytes() != _read(layout.root / "etc/hosts"):
            shutil.copyfile(hosts, layout.root / "etc/hosts")


def _run_as(layout: Layout) -> list[str]:
    """``-U asterisk -G cic`` with the instance handed over to them, when started as root."""
    try:
        ids = accounts.ensure(layout.root)
    except accounts.AccountError as exc:
        raise ProvisionError(str(exc)) from exc
    if ids is None:
        return []
    ownership.prepare(layout, ids)
    return ["-U", accounts.ASTERISK_USER, "-G", accounts.SHARED_GROUP]


def stop(layout: Layout, timeout: float = 15) -> bool:
    """Stop the instance; returns False when it was not running."""
    pid = running_pid(layout)
    if not pid:
        return False
    try:
        rx(layout, "core stop now", timeout=5)
    except (ProvisionError, subprocess.TimeoutExpired):
        pass
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _alive(pid):
            break
        time.sleep(0.1)
    else:
        os.killpg(pid, signal.SIGKILL)
    _pidfile(layout).unlink(missing_ok=True)
    return True


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""


def _alive(pid: int) -> bool:
    try:
        waited, _ = os.waitpid(pid, os.WNOHANG)
        if waited == pid:
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


def _port_open(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex((host, port)) == 0
