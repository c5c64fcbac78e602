"""Processes and ports of the test mail daemons (for ``tests.mailserver``): the binaries
from Debian's packages, free loopback ports, stopping a daemon's process group, and
reaping servers whose test process died before it could stop them."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
from pathlib import Path

DOVECOT = "/usr/sbin/dovecot"
POSTFIX = "/usr/sbin/postfix"
POSTFIX_MASTER = "/usr/lib/postfix/sbin/master"
DOVECOT_LMTP = "/usr/lib/dovecot/lmtp"
TEMP_PREFIX = "cic-mail-"
OWNER_FILE = "owner.pid"


def missing_binaries() -> list[str]:
    """Debian packages the harness needs that are not installed."""
    wanted = {DOVECOT: "dovecot-imapd", DOVECOT_LMTP: "dovecot-lmtpd", POSTFIX: "postfix"}
    return [package for path, package in wanted.items() if not os.access(path, os.X_OK)]


def free_ports(count: int) -> list[int]:
    """``count`` distinct ports free on 127.0.0.1 right now (the kernel picks them)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def reap_abandoned(parent: Path | None = None) -> None:
    """Stop the daemons of ``MailServer.temporary()`` servers whose test process is gone
    (killed before it could stop them) and remove their directories."""
    for root in Path(parent or tempfile.gettempdir()).glob(f"{TEMP_PREFIX}*"):
        try:
            owner = int((root / OWNER_FILE).read_text())
        except (OSError, ValueError):
            continue
        if Path(f"/proc/{owner}").exists():
            continue
        for pid_file in (root / "dovecot/run/master.pid", root / "postfix-spool/pid/master.pid"):
            kill_daemon(pid_file, root)
        shutil.rmtree(root, ignore_errors=True)


def kill_daemon(pid_file: Path, root: Path) -> None:
    """SIGTERM the process group of the daemon in ``pid_file`` if it is still one of ours
    (its command line names ``root``: the number may belong to another process by now)."""
    try:
        pid = int(pid_file.read_text().split()[0])
        if str(root).encode() in Path(f"/proc/{pid}/cmdline").read_bytes():
            os.killpg(pid, signal.SIGTERM)
    except (OSError, ValueError, IndexError):
        pass


def tail(path: Path, lines: int = 25) -> str:
    if not path.exists():
        return f"({path.name}: no log)"
    text = path.read_text(errors="replace").splitlines()[-lines:]
    return f"--- {path.name}\n" + "\n".join(text)


def first_line(sock: socket.socket) -> bytes:
    data = b""
    while b"\n" not in data and len(data) < 1000:
        chunk = sock.recv(1000)
        if not chunk:
            break
        data += chunk
    return data


def terminate(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the daemon's whole process group; SIGKILL after 10 s."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)
    except ProcessLookupError:
        process.wait(timeout=5)
