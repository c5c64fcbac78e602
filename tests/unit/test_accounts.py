"""System accounts in Asterisk's root, the instance's owners, and who `cic up` runs the
controller as (on stand-in roots and state directories; no account is made here)."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cic.asterisk import accounts, ownership
from cic.asterisk.accounts import Accounts, mirror_into
from cic.asterisk.provision import Layout
from cic.cli import service_user
from cic.config import load_settings
from cic.recordings.folders import make_day_folders

as_root = pytest.mark.skipif(os.geteuid() != 0, reason="chown to other ids needs root")
IDS = Accounts(asterisk_uid=4101, asterisk_gid=4102, cic_uid=4103, cic_gid=4104)


def _root(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    (root / "etc").mkdir(parents=True)
    (root / "etc/passwd").write_text(
        "root:x:0:0:root:/root:/bin/bash\n"
        "asterisk:x:101:101:Asterisk PBX daemon:/var/lib/asterisk:/usr/sbin/nologin\n"
    )
    (root / "etc/group").write_text("root:x:0:\naudio:x:29:asterisk\nasterisk:x:101:\n")
    return root


@as_root
def test_the_roots_accounts_get_the_hosts_ids_and_the_package_files_follow(
    tmp_path: Path,
) -> None:
    root = _root(tmp_path)
    package = root / "var/lib/asterisk/moh"
    package.mkdir(parents=True)
    os.chown(package, 101, 101)
    os.chown(package.parent, 101, 0)
    instance = root / "srv/cic/x"
    instance.mkdir(parents=True)
    os.chown(instance, 101, 101)  # instances are cic's business, not the package's
    mirror_into(root, IDS)
    passwd = (root / "etc/passwd").read_text().splitlines()
    group = (root / "etc/group").read_text().splitlines()
    assert "asterisk:x:4101:4102:Asterisk PBX daemon:/var/lib/asterisk:/usr/sbin/nologin" in passwd
    assert "root:x:0:0:root:/root:/bin/bash" in passwd and len(passwd) == 2
    assert {"asterisk:x:4102:", "cic:x:4104:asterisk", "audio:x:29:asterisk"} <= set(group)
    assert (package.stat().st_uid, package.stat().st_gid) == (4101, 4102)
    assert (package.parent.stat().st_uid, package.parent.stat().st_gid) == (4101, 0)
    assert instance.stat().st_uid == 101
    before = (root / "etc/passwd").stat().st_mtime_ns, (root / "etc/group").read_text()
    mirror_into(root, IDS)  # again: nothing to change
    assert ((root / "etc/passwd").stat().st_mtime_ns, (root / "etc/group").read_text()) == before
    assert stat.S_IMODE((root / "etc/passwd").stat().st_mode) == 0o644


@as_root
def test_instance_directories_get_their_owners_and_modes(tmp_path: Path) -> None:
    layout = Layout(_root(tmp_path), "x")
    inst = layout.host(layout.inst)
    for sub in ("etc", "lib/keys", "log", "run", "sounds/cic-pl", "recordings/2026/12/05"):
        (inst / sub).mkdir(parents=True)
    (inst / "etc/pjsip.conf").write_text("; x\n")
    (inst / "sounds/cic-pl/menu.wav").write_bytes(b"RIFF")
    (inst / "log/console.log").write_text("")
    old = inst / "recordings/2026/12/05/1.wav"  # made by a root Asterisk before
    old.write_bytes(b"RIFF")
    os.chmod(old, 0o644)
    os.chown(inst / "recordings/2026/12/05", 4101, 4104)  # made by MixMonitor itself
    os.chmod(inst.parent, 0o750)  # /srv/cic made under cic's umask
    ownership.prepare(layout, IDS)

    def who(path: Path) -> tuple[int, int, int]:
        info = path.stat()
        return info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)

    assert who(inst) == (4103, 4104, 0o750)
    assert who(inst.parent)[2] == 0o751  # Asterisk passes through to its instance
    assert who(inst / "etc") == (4103, 4104, 0o2750)
    assert who(inst / "etc/pjsip.conf") == (4103, 4104, 0o640)
    assert who(inst / "sounds/cic-pl/menu.wav") == (4103, 4104, 0o640)
    assert who(inst / "lib/keys") == (4101, 4104, 0o750)
    assert who(inst / "log/console.log")[:2] == (4101, 4104)
    assert who(inst / "recordings") == (4103, 4104, 0o2770)
    assert who(inst / "recordings/2026/12/05") == (4103, 4104, 0o2770)  # handed back
    assert who(old) == (0, 4104, 0o640)
    assert who(layout.root / "var/spool/asterisk") == (4101, 4104, 0o750)


def test_day_folders_are_made_ahead_group_writable(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        made = make_day_folders(tmp_path, datetime(2026, 12, 31, 23, 30, tzinfo=UTC), days=2)
    finally:
        os.umask(old)
    assert made == [tmp_path / "2026/12/31", tmp_path / "2027/01/01"]
    for folder in (*made, tmp_path / "2027", tmp_path / "2027/01"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o2770, folder
    assert make_day_folders(tmp_path / "nie-ma", datetime.now(UTC)) == []


def test_controller_account_when_cic_up_is_not_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(accounts, "managed", lambda: False)
    settings = load_settings(environ={"CIC_STATE_DIR": str(tmp_path / "state")})
    assert service_user.service_account(settings, {}) == (
        None, "bieżący użytkownik (cic up uruchomiono nie jako root)",
    )  # fmt: skip


@pytest.mark.parametrize("reachable", [True, False])
def test_controller_account_as_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reachable: bool
) -> None:
    me = Accounts(0, 0, os.getuid(), os.getgid())
    monkeypatch.setattr(accounts, "managed", lambda: True)
    monkeypatch.setattr(accounts, "ensure", lambda root: me)
    monkeypatch.setattr(service_user, "_can_run", lambda run_as, env, state: reachable)
    handed: list[Path] = []
    monkeypatch.setattr(service_user, "hand_over", lambda state, run_as: handed.append(state))
    state = tmp_path / "state"
    state.mkdir()
    settings = load_settings(environ={"CIC_STATE_DIR": str(state)})
    run_as, who = service_user.service_account(settings, {})
    if reachable:
        assert run_as == service_user.RunAs(os.getuid(), os.getgid()) and who == "użytkownik cic"
        assert handed == [state.resolve()]
        assert run_as.popen() == {
            "user": os.getuid(), "group": os.getgid(), "extra_groups": [], "umask": 0o027,
        }  # fmt: skip
    else:
        assert run_as is None and who.startswith("root — UWAGA: użytkownik cic nie może")
        assert handed == []
    sticky = load_settings(environ={"CIC_STATE_DIR": "/tmp"})
    assert service_user.service_account(sticky, {})[1].startswith("root — UWAGA: /tmp nie jest")


def test_hand_over_gives_the_state_directory_to_the_account(tmp_path: Path) -> None:
    (tmp_path / "models/whisper").mkdir(parents=True)
    (tmp_path / "cic.db").write_bytes(b"")
    run_as = service_user.RunAs(os.getuid(), os.getgid())
    service_user.hand_over(tmp_path, run_as)  # to ourselves: allowed without root
    for path in (tmp_path, tmp_path / "models/whisper", tmp_path / "cic.db"):
        assert (path.stat().st_uid, path.stat().st_gid) == (os.getuid(), os.getgid())
