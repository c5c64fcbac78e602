"""The system accounts Asterisk and the controller run as, on the host and in Asterisk's root.

Asterisk runs as user ``asterisk`` with group ``cic`` (``asterisk -U asterisk -G cic``); the
controller, when ``cic up`` starts it as root, as user ``cic`` (group ``cic``). The shared
group is how they reach each other's files: Asterisk reads the configuration and prompts the
controller writes, the controller reads (and, for retention, deletes) the recordings
Asterisk writes. Nothing is readable by others.

Both accounts are made with ``useradd --system`` when missing. A cached Debian root is run
with ``chroot``: Asterisk looks its user and group up in the root's ``/etc/passwd`` and
``/etc/group``, so these get the host's ids (the package's own ``asterisk`` uid may be
another host account, e.g. ``postgres``), and what the package owned in the root follows.
Only root can do any of this; run as another user, cic keeps everything as that user.
"""

from __future__ import annotations

import fcntl
import grp
import os
import pwd
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ASTERISK_USER = "asterisk"
SERVICE_USER = "cic"
SHARED_GROUP = "cic"
NOLOGIN = "/usr/sbin/nologin"
SKIP_IN_ROOT = ("srv", "proc", "sys", "dev")


class AccountError(RuntimeError):
    """A system account could not be made; the message says which and why."""


@dataclass(frozen=True)
class Accounts:
    """Numeric ids of the two accounts and the shared group (the same in the root)."""

    asterisk_uid: int
    asterisk_gid: int
    cic_uid: int
    cic_gid: int


def managed() -> bool:
    """True when cic runs as root and so sets users, groups and owners up itself."""
    return os.geteuid() == 0


def ensure(root: Path) -> Accounts | None:
    """Make the accounts on the host if missing and mirror them into ``root`` (when it is a
    chroot); ``None`` when not running as root."""
    if not managed():
        return None
    cic_gid = _group(SHARED_GROUP)
    cic_uid = _user(SERVICE_USER, ["--gid", SHARED_GROUP, "--comment", "cic contact centre"])
    asterisk = _user(ASTERISK_USER, ["--user-group", "--comment", "Asterisk PBX (cic)"])
    accounts = Accounts(asterisk, pwd.getpwuid(asterisk).pw_gid, cic_uid, cic_gid)
    if root.resolve() != Path("/"):
        with (root.parent / (root.name + ".lock")).open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # the root is shared by instances
            mirror_into(root, accounts)
    return accounts


def _group(name: str) -> int:
    try:
        return grp.getgrnam(name).gr_gid
    except KeyError:
        _run(["groupadd", "--system", name], lambda: grp.getgrnam(name))
        return grp.getgrnam(name).gr_gid


def _user(name: str, options: list[str]) -> int:
    try:
        return pwd.getpwnam(name).pw_uid
    except KeyError:
        home = ["--home-dir", "/nonexistent", "--no-create-home", "--shell", NOLOGIN]
        _run(["useradd", "--system", *home, *options, name], lambda: pwd.getpwnam(name))
        return pwd.getpwnam(name).pw_uid


def _run(argv: list[str], made: Callable[[], object]) -> None:
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    if result.returncode == 0:
        return
    try:
        made()  # another cic process made it meanwhile
    except KeyError:
        raise AccountError(f"{' '.join(argv)}: {result.stderr.strip()[:300]}") from None


def mirror_into(root: Path, accounts: Accounts) -> None:
    """Give the root's ``asterisk`` user and group and the ``cic`` group the host's ids; what
    the root's old ``asterisk`` ids owned (the package's files) is handed over."""
    passwd, group = root / "etc/passwd", root / "etc/group"
    old = _entry(passwd, ASTERISK_USER)
    old_gid = _entry(group, ASTERISK_USER)
    user_line = (
        f"{ASTERISK_USER}:x:{accounts.asterisk_uid}:{accounts.asterisk_gid}:"
        f"Asterisk PBX daemon:/var/lib/asterisk:{NOLOGIN}"
    )
    _set_line(passwd, ASTERISK_USER, user_line)
    _set_line(group, ASTERISK_USER, f"{ASTERISK_USER}:x:{accounts.asterisk_gid}:")
    _set_line(group, SHARED_GROUP, f"{SHARED_GROUP}:x:{accounts.cic_gid}:{ASTERISK_USER}")
    moved_uid = old is not None and int(old[2]) != accounts.asterisk_uid
    moved_gid = old_gid is not None and int(old_gid[2]) != accounts.asterisk_gid
    if moved_uid or moved_gid:
        _hand_over(
            root,
            int(old[2]) if old else -2,
            int(old_gid[2]) if old_gid else -2,
            accounts,
        )


def _entry(path: Path, name: str) -> list[str] | None:
    for line in path.read_text(encoding="utf-8").splitlines():
        fields = line.split(":")
        if fields[0] == name:
            return fields
    return None


def _set_line(path: Path, name: str, wanted: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    kept = [line for line in lines if line.split(":")[0] != name]
    if len(kept) == len(lines) - 1 and wanted in lines:
        return
    tmp = path.with_name(path.name + ".cic-tmp")
    tmp.write_text("\n".join([*kept, wanted]) + "\n", encoding="utf-8")
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def _hand_over(root: Path, old_uid: int, old_gid: int, accounts: Accounts) -> None:
    """chown what ``old_uid``/``old_gid`` owned in ``root`` (instances under srv/ aside)."""
    for top in root.iterdir():
        if top.name in SKIP_IN_ROOT or top.is_symlink() or not top.is_dir():
            continue
        for folder, dirs, files in os.walk(top):
            for name in [*dirs, *files]:
                path = os.path.join(folder, name)
                info = os.lstat(path)
                uid = accounts.asterisk_uid if info.st_uid == old_uid else -1
                gid = accounts.asterisk_gid if info.st_gid == old_gid else -1
                if uid != -1 or gid != -1:
                    os.lchown(path, uid, gid)
