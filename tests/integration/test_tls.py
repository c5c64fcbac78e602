"""TLS in production shape: Caddy (started here, with the test's CA) in front of the real
controller and Asterisk, and a remote agent's phone registered over SIP/TLS taking a call
with SRTP (SDES) in its SDP."""

from __future__ import annotations

import json
import re
import shutil
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import aiohttp
import pytest

from cic.auth import users
from cic.credentials import Credentials
from cic.db import utcnow
from cic.demo.scenarios import ResidentCall
from tests.integration.harness import Harness
from tests.integration.tls_ca import TlsFiles, make_ca
from tests.integration.tls_phone import Message, TlsPhone
from tests.integration.tls_proxy import TlsPorts, caddy_in_front, free_ports, overrides

PASSWORD = "haslo-zdalnej-12345"


def plain_rtp_size(size: int) -> bool:
    """A G.711 RTP packet without SRTP's tag: a 12-byte header and 80 bytes per 10 ms."""
    return (size - 12) % 80 == 0


def srtp_size(size: int) -> bool:
    """A G.711 SRTP packet: header, 80 bytes per 10 ms and a 10-byte tag (4 for the _32
    suite)."""
    return (size - 12 - 10) % 80 == 0 or (size - 12 - 4) % 80 == 0


RESIDENT = ResidentCall(
    number="48500100290", audio_pcap="/usr/share/sip-tester/g711a.pcap", repeat_audio_ms=6000,
    hangup_after_ms=18_000,
)  # fmt: skip
Proxied = tuple[Harness, TlsPorts]


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    return make_ca(tmp_path_factory.mktemp("ca"))


@pytest.fixture(scope="module")
def tls_pbx(tmp_path_factory: pytest.TempPathFactory, ca: TlsFiles) -> Iterator[Proxied]:
    if not shutil.which("caddy"):
        pytest.skip("caddy is missing (bash bin/install-deps)")
    ports = free_ports()
    state = tmp_path_factory.mktemp("tls-state")
    with Harness.running(state, **overrides(ca, ports, "[zdalna]")) as pbx:
        with caddy_in_front(pbx, ports, state):
            yield pbx, ports


def _remote_agent(pbx: Harness) -> None:
    """The remote agent ``zdalna`` (no fixed contact: she registers) with a console user."""
    if not any(a["username"] == "zdalna" for a in pbx.api("GET", "/api/agents")):
        pbx.api("POST", "/api/agents", {"username": "zdalna", "display_name": "Zdalna"})

    def link(db: Any) -> None:
        if users.find(db, "zdalna") is None:
            users.add(db, "zdalna", "Zdalna Agentka", "agent", PASSWORD, agent_username="zdalna",
                      now=utcnow())  # fmt: skip

    pbx.in_db(link)


async def test_console_over_https_behind_the_proxy(tls_pbx: Proxied, ca: TlsFiles) -> None:
    pbx, ports = tls_pbx
    _remote_agent(pbx)
    public = ports.public
    context = ssl.create_default_context(cafile=str(ca.ca_file))
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=context)) as http:
        plain = await http.get(f"http://localhost:{ports.http}/logowanie", allow_redirects=False)
        assert plain.status in (301, 308) and plain.headers["Location"] == f"{public}/logowanie"

        page = await http.get(f"{public}/logowanie")
        assert page.status == 200 and "logowanie" in (await page.text()).lower()
        assert page.headers["Strict-Transport-Security"] == "max-age=31536000"

        form = {"username": "zdalna", "password": PASSWORD}
        foreign = await http.post(f"{public}/logowanie", data=form, allow_redirects=False,
                                  headers={"Origin": "https://atak.example"})  # fmt: skip
        assert foreign.status == 403
        signed = await http.post(f"{public}/logowanie", data=form, allow_redirects=False,
                                 headers={"Origin": public})  # fmt: skip
        assert signed.status == 303, await signed.text()
        assert not signed.headers["Location"].startswith("http:")
        cookie = signed.headers["Set-Cookie"]
        assert cookie.startswith("cic_session=") and "Secure" in cookie and "HttpOnly" in cookie

        console = await http.get(f"{public}/konsola")
        text = await console.text()
        assert console.status == 200, text
        config = re.search(r'id="phone-config"[^>]*>(.*?)</script>', text, re.S)
        assert config is not None
        assert json.loads(config.group(1))["wsUrl"] == f"wss://localhost:{ports.https}/ws"
        assert f"wss://localhost:{ports.https}" in console.headers["Content-Security-Policy"]

        for monitoring in ("/metrics", "/readyz"):  # the controller serves them to 127.0.0.1
            hidden = await http.get(f"{public}{monitoring}")
            assert hidden.status == 404 and "cic_" not in await hidden.text(), monitoring
        assert (await http.get(f"{public}/healthz")).status == 200  # liveness stays public

        # The controller's own websockets under /ws/ still reach the controller.
        async with http.ws_connect(f"wss://localhost:{ports.https}/ws/agent",
                                   headers={"Origin": public}) as live:  # fmt: skip
            assert live.protocol is None and not live.closed
        async with http.ws_connect(f"wss://localhost:{ports.https}/ws", protocols=("sip",),
                                   headers={"Origin": public}) as ws:  # fmt: skip
            assert ws.protocol == "sip"  # 101 from Asterisk's HTTP server, through Caddy
            await ws.send_str(
                "OPTIONS sip:localhost SIP/2.0\r\nVia: SIP/2.0/WSS cic.invalid;branch=z9hG4bKt1\r\n"
                "Max-Forwards: 70\r\nFrom: <sip:test@cic.invalid>;tag=t1\r\nTo: <sip:localhost>\r\n"
                "Call-ID: tls-ws-1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
            )
            reply = await ws.receive(timeout=10)
            assert str(reply.data).startswith("SIP/2.0 "), reply
            assert "Call-ID: tls-ws-1" in str(reply.data)


@contextmanager
def _remote_phone(pbx: Harness, ports: TlsPorts, ca: TlsFiles) -> Iterator[TlsPhone]:
    """The remote agent's phone registered over SIP/TLS, the agent logged in to the queue."""
    _remote_agent(pbx)
    password = Credentials(pbx.settings.secrets_path).sip_password("agent-zdalna")
    phone = TlsPhone("127.0.0.1", ports.sip, "agent-zdalna", password, ca.ca_file)
    try:
        registered = phone.register()
        assert registered.first.startswith("SIP/2.0 200"), registered.first
        if pbx.api("GET", "/api/agents/zdalna")["state"] == "offline":
            pbx.api("POST", "/api/agents/zdalna/login", {})
        yield phone
    finally:
        phone.close()


def _resident_calls(pbx: Harness, phone: TlsPhone, srtp: bool) -> tuple[Message, int]:
    """A resident calls while the phone answers (with SRTP or plain RTP) and waits for the
    BYE; the INVITE the phone got and the resident SIPp's exit code."""
    outcome: dict[str, Any] = {}

    def take_call() -> None:
        try:
            outcome["invite"] = phone.answer(60, srtp=srtp)
            outcome["bye"] = phone.hang_up_when_asked(60)
        except Exception as exc:  # reported below
            outcome["error"] = exc

    taker = threading.Thread(target=take_call, daemon=True)
    taker.start()
    caller = pbx.call(RESIDENT)
    code = caller.wait(90)
    taker.join(40)
    assert "error" not in outcome, outcome.get("error")
    return outcome["invite"], code


def test_remote_agent_over_sip_tls_is_offered_srtp(tls_pbx: Proxied, ca: TlsFiles) -> None:
    pbx, ports = tls_pbx
    with _remote_phone(pbx, ports, ca) as phone:
        assert phone.sock.version() == "TLSv1.2"  # transport-tls: method = tlsv1_2
        before = pbx.call_ids()
        invite, code = _resident_calls(pbx, phone, srtp=True)
        assert code == 0
        offer = invite.body
        assert re.search(r"^m=audio \d+ RTP/SAVP ", offer, re.M), offer
        assert re.search(r"^a=crypto:\d+ AES_CM_128_HMAC_SHA1_(80|32) inline:", offer, re.M), offer
        assert "RTP/AVP " not in offer  # no plain RTP fallback offered
        # The resident's voice reached the phone as SRTP (with the tag), never as bare RTP.
        sizes = sorted(set(phone.media_sizes))
        assert phone.media_sizes, "no media reached the remote phone"
        assert all(srtp_size(n) and not plain_rtp_size(n) for n in sizes), sizes
        call = pbx.wait_call(before, lambda c: bool(c["ended_at"]), 30)
        assert call["outcome"] == "answered" and call["agent"] == "PJSIP/agent-zdalna"


def test_remote_agent_answering_with_plain_rtp_gets_no_plain_media(
    tls_pbx: Proxied, ca: TlsFiles
) -> None:
    pbx, ports = tls_pbx
    with _remote_phone(pbx, ports, ca) as phone:
        invite, _ = _resident_calls(pbx, phone, srtp=False)
        assert "RTP/SAVP" in invite.body
        sizes = sorted(set(phone.media_sizes))
        # Asterisk takes the answer but sends nothing unencrypted (here: nothing at all, while
        # the same call answered with SRTP carried the resident's voice).
        assert not any(plain_rtp_size(n) for n in sizes), sizes
