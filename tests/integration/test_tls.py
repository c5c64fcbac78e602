"""TLS in production shape: Caddy (started here, with the test's CA) in front of the real
controller and Asterisk, and a remote agent's phone registered over SIP/TLS taking a call
with SRTP (SDES) in its SDP.

Ports from this part's block (30800-30999): HTTPS 30843, plain HTTP 30880, SIP/TLS 30861.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from cic.auth import users
from cic.credentials import Credentials
from cic.db import utcnow
from cic.demo.scenarios import ResidentCall
from tests.integration.harness import Harness
from tests.integration.tls_ca import TlsFiles, make_ca
from tests.integration.tls_phone import TlsPhone

HTTPS, HTTP, SIP_TLS = 30843, 30880, 30861
PUBLIC = f"https://localhost:{HTTPS}"
PASSWORD = "haslo-zdalnej-12345"


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    return make_ca(tmp_path_factory.mktemp("ca"))


@pytest.fixture(scope="module")
def tls_pbx(tmp_path_factory: pytest.TempPathFactory, ca: TlsFiles) -> Iterator[Harness]:
    if not shutil.which("caddy"):
        pytest.skip("caddy is missing (bash bin/install-deps)")
    for port in (HTTPS, HTTP, SIP_TLS):
        assert not _listening(port), f"port {port} of the TLS tests is taken"
    overrides = {
        "CIC_PUBLIC_URL": PUBLIC,
        "CIC_TLS__CERT_FILE": str(ca.cert_file),
        "CIC_TLS__KEY_FILE": str(ca.key_file),
        "CIC_TLS__HTTP_PORT": str(HTTP),
        "CIC_TLS__PROXY_ADMIN": "off",
        "CIC_TLS__SIP_PORT": str(SIP_TLS),
        "CIC_TLS__SIP_BIND": "127.0.0.1",
        "CIC_TLS__REMOTE_AGENTS": "[zdalna]",
        "CIC_AUTH__TRUSTED_PROXIES": "[127.0.0.1]",
    }
    state = tmp_path_factory.mktemp("tls-state")
    with Harness.running(state, **overrides) as pbx:
        caddy = _start_caddy(pbx, state)
        try:
            yield pbx
        finally:
            caddy.terminate()
            caddy.wait(timeout=15)


def _start_caddy(pbx: Harness, state: Path) -> subprocess.Popen[bytes]:
    """``cic proxy config --check`` writes the Caddyfile; Caddy runs it with its state here."""
    caddyfile = state / "Caddyfile"
    caddy_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(state),
                 "XDG_DATA_HOME": str(state / "caddy-data"),
                 "XDG_CONFIG_HOME": str(state / "caddy-config")}  # fmt: skip
    rendered = subprocess.run(
        [sys.executable, "-m", "cic.cli", "proxy", "config", "--output", str(caddyfile), "--check"],
        env={**os.environ, **pbx.env, **caddy_env}, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert rendered.returncode == 0, rendered.stderr
    log = (state / "caddy.log").open("ab")
    caddy = subprocess.Popen(
        ["caddy", "run", "--adapter", "caddyfile", "--config", str(caddyfile)],
        env=caddy_env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    Harness.wait_for(lambda: _listening(HTTPS) and _listening(HTTP), 20, "Caddy listening")
    return caddy


def _remote_agent(pbx: Harness) -> None:
    """The remote agent ``zdalna`` (no fixed contact: she registers) with a console user."""
    if not any(a["username"] == "zdalna" for a in pbx.api("GET", "/api/agents")):
        pbx.api("POST", "/api/agents", {"username": "zdalna", "display_name": "Zdalna"})

    def link(db: Any) -> None:
        if users.find(db, "zdalna") is None:
            users.add(db, "zdalna", "Zdalna Agentka", "agent", PASSWORD, agent_username="zdalna",
                      now=utcnow())  # fmt: skip

    pbx.in_db(link)


async def test_console_over_https_behind_the_proxy(tls_pbx: Harness, ca: TlsFiles) -> None:
    _remote_agent(tls_pbx)
    context = ssl.create_default_context(cafile=str(ca.ca_file))
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=context)) as http:
        plain = await http.get(f"http://localhost:{HTTP}/logowanie", allow_redirects=False)
        assert plain.status in (301, 308) and plain.headers["Location"] == f"{PUBLIC}/logowanie"

        page = await http.get(f"{PUBLIC}/logowanie")
        assert page.status == 200 and "logowanie" in (await page.text()).lower()
        assert page.headers["Strict-Transport-Security"] == "max-age=31536000"

        form = {"username": "zdalna", "password": PASSWORD}
        foreign = await http.post(f"{PUBLIC}/logowanie", data=form, allow_redirects=False,
                                  headers={"Origin": "https://atak.example"})  # fmt: skip
        assert foreign.status == 403
        signed = await http.post(f"{PUBLIC}/logowanie", data=form, allow_redirects=False,
                                 headers={"Origin": PUBLIC})  # fmt: skip
        assert signed.status == 303, await signed.text()
        assert not signed.headers["Location"].startswith("http:")
        cookie = signed.headers["Set-Cookie"]
        assert cookie.startswith("cic_session=") and "Secure" in cookie and "HttpOnly" in cookie

        console = await http.get(f"{PUBLIC}/konsola")
        text = await console.text()
        assert console.status == 200, text
        config = re.search(r'id="phone-config"[^>]*>(.*?)</script>', text, re.S)
        assert config is not None
        assert json.loads(config.group(1))["wsUrl"] == f"wss://localhost:{HTTPS}/ws"
        assert f"wss://localhost:{HTTPS}" in console.headers["Content-Security-Policy"]

        metrics = await http.get(f"{PUBLIC}/metrics")
        assert metrics.status == 404 and "cic" not in (await metrics.text()).lower()

        async with http.ws_connect(f"wss://localhost:{HTTPS}/ws", protocols=("sip",),
                                   headers={"Origin": PUBLIC}) as ws:  # fmt: skip
            assert ws.protocol == "sip"  # 101 from Asterisk's HTTP server, through Caddy
            await ws.send_str(
                "OPTIONS sip:localhost SIP/2.0\r\nVia: SIP/2.0/WSS cic.invalid;branch=z9hG4bKt1\r\n"
                "Max-Forwards: 70\r\nFrom: <sip:test@cic.invalid>;tag=t1\r\nTo: <sip:localhost>\r\n"
                "Call-ID: tls-ws-1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
            )
            reply = await ws.receive(timeout=10)
            assert str(reply.data).startswith("SIP/2.0 "), reply
            assert "Call-ID: tls-ws-1" in str(reply.data)


def test_remote_agent_over_sip_tls_is_offered_srtp(tls_pbx: Harness, ca: TlsFiles) -> None:
    _remote_agent(tls_pbx)
    password = Credentials(tls_pbx.settings.secrets_path).sip_password("agent-zdalna")
    phone = TlsPhone("127.0.0.1", SIP_TLS, "agent-zdalna", password, ca.ca_file)
    try:
        registered = phone.register()
        assert registered.first.startswith("SIP/2.0 200"), registered.first
        tls_pbx.api("POST", "/api/agents/zdalna/login", {})
        outcome: dict[str, Any] = {}

        def take_call() -> None:
            try:
                outcome["invite"] = phone.answer(60)
                outcome["bye"] = phone.hang_up_when_asked(60)
            except Exception as exc:  # reported by the assertions below
                outcome["error"] = exc

        taker = threading.Thread(target=take_call, daemon=True)
        taker.start()
        before = tls_pbx.call_ids()
        caller = tls_pbx.call(ResidentCall(number="48500100290", hangup_after_ms=16_000))
        assert caller.wait(90) == 0, caller.errors()
        taker.join(30)
        assert "error" not in outcome, outcome.get("error")
        offer = outcome["invite"].body
        assert re.search(r"^m=audio \d+ RTP/SAVP ", offer, re.M), offer
        assert re.search(r"^a=crypto:\d+ AES_CM_128_HMAC_SHA1_(80|32) inline:", offer, re.M), offer
        assert "RTP/AVP " not in offer  # no plain RTP fallback offered
        call = tls_pbx.wait_call(before, lambda c: bool(c["ended_at"]), 30)
        assert call["outcome"] == "answered" and call["agent"] == "PJSIP/agent-zdalna"
    finally:
        phone.close()
