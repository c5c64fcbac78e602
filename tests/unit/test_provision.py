"""Rendering Asterisk's configuration: loopback AMI, least privilege, generated secrets."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest

from cic.asterisk.provision import EndpointSpec, Layout, ProvisionError, QueueSpec, locate, render
from cic.config import load_settings
from cic.credentials import Credentials


@pytest.fixture
def rendered(tmp_path: Path) -> tuple[Path, Credentials]:
    settings = load_settings(environ={"CIC_STATE_DIR": str(tmp_path / "state")})
    layout = Layout(tmp_path / "root", "unit")
    creds = Credentials(settings.secrets_path)
    agents = [EndpointSpec("agent-anna", 'Anna "Kowalska" <x>', "sip:agent-anna@127.0.0.1:5071")]
    etc = render(settings, layout, creds, agents, [QueueSpec("pierwsza-linia")])
    return etc, creds


def test_ami_on_loopback_with_least_privilege(rendered: tuple[Path, Credentials]) -> None:
    etc, creds = rendered
    manager = (etc / "manager.conf").read_text()
    assert "bindaddr = 127.0.0.1" in manager
    assert f"secret = {creds.ami_password}" in manager
    read = next(line for line in manager.splitlines() if line.startswith("read ="))
    write = next(line for line in manager.splitlines() if line.startswith("write ="))
    assert set(read.split("=")[1].strip().split(",")) == {"system", "call", "agent", "user"}
    assert set(write.split("=")[1].strip().split(",")) == {
        "system", "call", "agent", "originate", "reporting"
    }  # fmt: skip


def test_secrets_are_generated_private_and_distinct(rendered: tuple[Path, Credentials]) -> None:
    etc, creds = rendered
    assert stat.S_IMODE(creds.path.stat().st_mode) == 0o600
    for conf in etc.glob("*.conf"):
        assert stat.S_IMODE(conf.stat().st_mode) == 0o600, conf
    assert len(creds.ami_password) >= 24
    assert creds.sip_password("agent-anna") != creds.sip_password("agent-bartek")
    assert creds.sip_password("agent-anna") == Credentials(creds.path).sip_password("agent-anna")
    assert creds.sip_password("agent-anna") in (etc / "pjsip.conf").read_text()


def test_no_anonymous_sip_and_safe_display_name(rendered: tuple[Path, Credentials]) -> None:
    pjsip = (rendered[0] / "pjsip.conf").read_text()
    assert "[anonymous]" not in pjsip
    assert "endpoint_identifier_order = username,ip\n" in pjsip
    assert 'callerid = "Anna Kowalska x" <agent-anna>' in pjsip
    assert "endpoint_identifier_order = username,ip" in pjsip


def test_dialplan_falls_back_and_names_files_by_call_id(rendered: tuple[Path, Credentials]) -> None:
    dialplan = (rendered[0] / "extensions.conf").read_text()
    assert '$["${AGISTATUS}" != "SUCCESS"]?fallback' in dialplan
    assert "${CIC_RECDIR}/${STRFTIME(${EPOCH},UTC,%Y/%m/%d)}/${CIC_CALLID}.wav" in dialplan
    assert "CALLERID" not in dialplan
    for number in ("48820000000", "+48820000000", "0820000000", "1000"):
        assert f"exten => {number},1," in dialplan


def test_instance_name_is_checked(tmp_path: Path) -> None:
    settings = load_settings(environ={"CIC_ASTERISK__INSTANCE": "../../etc"})
    with pytest.raises(ProvisionError):
        locate(settings)


def test_building_the_root_keeps_instances_rendered_before_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stand-in debootstrap (the real one needs a mirror) makes the root; srv/ survives."""
    from cic.asterisk import provision

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "debootstrap"
    fake.write_text(
        '#!/bin/sh\nmkdir -p "$4/usr/sbin" "$4/srv/cic" && touch "$4/usr/sbin/asterisk"\n'
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    monkeypatch.setattr(provision.Path, "exists", _no_system_asterisk(provision.Path.exists))
    settings = load_settings(environ={"CIC_ASTERISK__CACHE_DIR": str(tmp_path / "cache")})
    early = tmp_path / "cache/asterisk-root/srv/cic/access-test/etc"
    early.mkdir(parents=True)
    (early / "pjsip.conf").write_text("; rendered before the root existed\n")
    layout = provision.ensure_root(settings)
    assert (layout.root / "usr/sbin/asterisk").exists()
    assert (layout.root / "srv/cic/access-test/etc/pjsip.conf").read_text().startswith("; rendered")
    assert not (tmp_path / "cache/asterisk-root.tmp").exists()
    assert provision.ensure_root(settings).root == layout.root  # built once, found afterwards


def _no_system_asterisk(exists: Any) -> Any:
    def patched(self: Path) -> bool:
        return False if str(self) == "/usr/sbin/asterisk" else bool(exists(self))

    return patched
