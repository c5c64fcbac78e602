"""The softphone's Asterisk side as rendered: HTTP on loopback only, a WebSocket transport,
WebRTC only for agents without a fixed contact, the WebSocket modules loaded."""

from __future__ import annotations

from pathlib import Path

from cic.asterisk.provision import NOLOAD, EndpointSpec, Layout, QueueSpec, render
from cic.config import load_settings
from cic.credentials import Credentials


def _section(conf: str, name: str) -> str:
    """The text of the first ``[name]`` section up to the next section header."""
    start = conf.index(f"[{name}]")
    rest = conf[start + len(name) + 2 :]
    return rest.split("\n[", 1)[0]


def test_webrtc_only_for_agents_without_fixed_contact(tmp_path: Path) -> None:
    """The browser agent gets webrtc and a generated DTLS certificate; the desk phone does not."""
    settings = load_settings(
        environ={"CIC_STATE_DIR": str(tmp_path / "state"), "CIC_ASTERISK__HTTP_PORT": "18088"}
    )
    creds = Credentials(settings.secrets_path)
    agents = [
        EndpointSpec("agent-web", "Wiktoria"),
        EndpointSpec("agent-desk", "Dawid", "sip:agent-desk@127.0.0.1:5071"),
    ]
    etc = render(settings, Layout(tmp_path / "root", "unit"), creds, agents, [QueueSpec("q")])
    http = (etc / "http.conf").read_text()
    assert "enabled = yes" in http and "bindaddr = 127.0.0.1" in http
    assert "bindport = 18088" in http
    pjsip = (etc / "pjsip.conf").read_text()
    assert "protocol = ws" in _section(pjsip, "transport-ws")
    web = _section(pjsip, "agent-web")
    assert "webrtc = yes" in web and "dtls_auto_generate_cert = yes" in web
    assert f"password = {creds.sip_password('agent-web')}" in pjsip
    desk = _section(pjsip, "agent-desk")
    assert "webrtc" not in desk and "dtls" not in desk
    assert pjsip.count("max_contacts = 1") == 2 and pjsip.count("remove_existing = yes") == 2
    assert "icesupport = yes" in (etc / "rtp.conf").read_text()
    for module in ("res_http_websocket.so", "res_pjsip_transport_websocket.so"):
        assert module not in NOLOAD
        assert f"noload => {module}" not in (etc / "modules.conf").read_text()
