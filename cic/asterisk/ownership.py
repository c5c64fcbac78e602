"""Who owns which directory of an Asterisk instance, and with which modes (set as root).

=============================  =================  ======  =====================================
directory                      owner:group        mode    why
=============================  =================  ======  =====================================
``<inst>``                     cic:cic            0750    both pass through, others nothing
``etc``, ``agi-bin``,          cic:cic            2750    the controller renders configuration
``sounds`` (prompts, music)                               and prompts; Asterisk reads (0640
                                                          files, setgid keeps group cic)
``lib``, ``spool``, ``run``,   asterisk:cic       0750    Asterisk's database, keys, spool,
``log``                                                   control socket and logs
``recordings`` and its         cic:cic            2770    Asterisk writes the recordings
folders                                                   (0640, its umask 027) through the
                                                          group; the controller owns the
                                                          folders, so retention can delete
=============================  =================  ======  =====================================

The recordings' day folders are made by the controller ahead of time
(:func:`cic.recordings.folders.make_day_folders`); one that Asterisk had to make itself
(controller down over midnight) is handed back to the controller here at the next start.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from cic.asterisk.accounts import Accounts
from cic.asterisk.provision import Layout

CONTROLLER_DIRS = ("etc", "agi-bin", "sounds")
ASTERISK_DIRS = ("lib", "spool", "run", "log")
RECORDINGS = "recordings"
ROOT_VAR_DIRS = ("var/lib/asterisk", "var/run/asterisk", "var/log/asterisk", "var/spool/asterisk")


def prepare(layout: Layout, accounts: Accounts) -> None:
    """Give every directory of the instance its owner and mode (see the table above)."""
    inst = layout.host(layout.inst)
    inst.mkdir(parents=True, exist_ok=True)
    # The folder of all instances may have been made under cic's umask 027 (root:root 0750),
    # which would shut Asterisk out of its own instance: others may pass, not list.
    _fix(
        inst.parent, -1, -1, stat.S_IMODE(inst.parent.stat().st_mode) | stat.S_IXGRP | stat.S_IXOTH
    )
    cic, asterisk = (accounts.cic_uid, accounts.cic_gid), (accounts.asterisk_uid, accounts.cic_gid)
    _fix(inst, *cic, 0o750)
    for sub in CONTROLLER_DIRS:
        _tree(inst / sub, cic, 0o2750, cic, 0o640)
    for sub in ASTERISK_DIRS:
        _tree(inst / sub, asterisk, 0o750, asterisk, None)
    _tree(inst / RECORDINGS, cic, 0o2770, (-1, accounts.cic_gid), 0o640)
    if layout.chrooted:
        for sub in ROOT_VAR_DIRS:
            _tree(layout.root / sub, asterisk, 0o750, asterisk, None)


def _tree(
    top: Path,
    dir_owner: tuple[int, int],
    dir_mode: int,
    file_owner: tuple[int, int],
    file_mode: int | None,
) -> None:
    """Set owner and mode of ``top``, the folders under it and (if ``file_mode``) the files."""
    top.mkdir(parents=True, exist_ok=True)
    _fix(top, *dir_owner, dir_mode)
    for folder, dirs, files in os.walk(top):
        for name in dirs:
            _fix(Path(folder, name), *dir_owner, dir_mode)
        for name in files:
            _fix(Path(folder, name), *file_owner, file_mode)


def _fix(path: Path, uid: int, gid: int, mode: int | None) -> None:
    """chown/chmod ``path`` where it differs (``-1``/``None``: leave as it is); no links."""
    info = path.lstat()
    if stat.S_ISLNK(info.st_mode):
        return
    if (uid != -1 and info.st_uid != uid) or (gid != -1 and info.st_gid != gid):
        os.lchown(path, uid, gid)
    if mode is not None and stat.S_IMODE(info.st_mode) != mode:
        os.chmod(path, mode)
