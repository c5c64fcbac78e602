"""Rendering SIP over TLS: the transport only when configured, remote agents on SRTP only."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from cic.asterisk.provision import EndpointSpec, Layout, ProvisionError, QueueSpec, render
from cic.config import ConfigError, load_settings
from cic.credentials import Credentials

AGENTS = [
    EndpointSpec("agent-anna", "Anna"),
    EndpointSpec("agent-zdalny", "Zdalny"),
    EndpointSpec("agent-biurko", "Biurko", "sip:agent-biurko@127.0.0.1:5071"),
]


def _render(tmp_path: Path, **env: str) -> tuple[Path, Layout]:
    settings = load_settings(environ={"CIC_STATE_DIR": str(tmp_path / "state"), **env})
    layout = Layout(tmp_path / "root", "unit")
    creds = Credentials(settings.secrets_path)
    return render(settings, layout, creds, AGENTS, [QueueSpec("pierwsza-linia")]), layout


def _section(conf: str, name: str) -> str:
    start = conf.index(f"[{name}]\ntype = endpoint")
    return conf[start : conf.index("\n[", start + 1)]


def _pem(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "c.pem").write_text(
        "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
    )
    (tmp_path / "k.pem").write_text(
        "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n"
    )
    return {
        "CIC_TLS__SIP_PORT": "5061",
        "CIC_TLS__SIP_CERT_FILE": str(tmp_path / "c.pem"),
        "CIC_TLS__SIP_KEY_FILE": str(tmp_path / "k.pem"),
        "CIC_TLS__REMOTE_AGENTS": "[zdalny]",
    }


def test_no_tls_transport_by_default(tmp_path: Path) -> None:
    etc, _ = _render(tmp_path)
    conf = (etc / "pjsip.conf").read_text()
    assert "protocol = tls" not in conf and "media_encryption" not in conf
    assert "webrtc = yes" in _section(conf, "agent-zdalny")


def test_remote_agent_registers_over_tls_with_srtp_only(tmp_path: Path) -> None:
    etc, layout = _render(tmp_path, **_pem(tmp_path))
    conf = (etc / "pjsip.conf").read_text()
    transport = conf[conf.index("[transport-tls]") :]
    assert "protocol = tls\nbind = 0.0.0.0:5061\n" in transport
    cert = f"{layout.inst}/etc/sip-tls.crt"
    assert f"cert_file = {cert}\npriv_key_file = {layout.inst}/etc/sip-tls.key" in transport
    copied = layout.host(cert)
    assert copied.read_text() == (tmp_path / "c.pem").read_text()
    assert stat.S_IMODE(layout.host(f"{layout.inst}/etc/sip-tls.key").stat().st_mode) == 0o640
    remote = _section(conf, "agent-zdalny")
    for line in ("transport = transport-tls", "media_encryption = sdes",
                 "media_encryption_optimistic = no", "rewrite_contact = yes"):  # fmt: skip
        assert line in remote.splitlines()
    assert "webrtc" not in remote
    assert "webrtc = yes" in _section(conf, "agent-anna")
    assert "media_encryption" not in _section(conf, "agent-biurko")
    assert "endpoint_identifier_order = username,ip" in conf


def test_missing_or_odd_files_and_bind_are_refused(tmp_path: Path) -> None:
    env = _pem(tmp_path)
    _, layout = _render(tmp_path, **env)
    key_copy = layout.host(f"{layout.inst}/etc/sip-tls.key")
    (tmp_path / "k.pem").write_text("not a key")
    _render(tmp_path, **env)  # a renewal half done: the earlier copy stays
    assert "BEGIN PRIVATE KEY" in key_copy.read_text()
    key_copy.unlink()
    with pytest.raises(ProvisionError, match=r"k\.pem"):
        _render(tmp_path, **env)
    layout.host(f"{layout.inst}/etc/sip-tls.crt").unlink()
    with pytest.raises(ProvisionError, match=r"nie-ma\.pem"):
        _render(tmp_path, **{**env, "CIC_TLS__SIP_CERT_FILE": str(tmp_path / "nie-ma.pem")})
    with pytest.raises(ConfigError, match=r"tls\.sip_bind"):
        _render(tmp_path, **{**_pem(tmp_path), "CIC_TLS__SIP_BIND": "0.0.0.0\n[x]"})
