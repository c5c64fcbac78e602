"""The browser softphone end to end: headless Chromium registers over WebSocket with Asterisk,
takes a resident's queue call, exchanges audio both ways (DTLS-SRTP) and hangs up."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from cic.asterisk import process, provision
from cic.credentials import Credentials
from cic.demo.scenarios import ResidentCall
from tests.e2e.conftest import STATIC
from tests.integration.harness import Harness

pytestmark = pytest.mark.e2e

PAGE = """<!doctype html>
<html lang="pl"><head><meta charset="utf-8"><title>cic softphone test</title></head>
<body><audio id="remote" autoplay></audio>
<script src="/static/vendor/jssip.min.js"></script>
<script src="/static/js/softphone.js"></script>
<script>
  window.events = [];
  const cfg = JSON.parse(%CONFIG%);
  cfg.audio = document.getElementById("remote");
  window.phone = new Softphone(cfg);
  ["registered", "unregistered", "registrationFailed", "incoming", "ringing", "answered",
   "ended", "failed", "hold", "unhold", "mute", "unmute"].forEach((name) => {
    window.phone.on(name, (detail) => window.events.push({name, detail}));
  });
  window.phone.register();
</script></body></html>
"""


class _Handler(SimpleHTTPRequestHandler):
    """Serves web/static under /static/ and the test page at /."""

    page = b""

    def do_GET(self) -> None:
        """The test page at /, files of web/static under /static/, 404 otherwise."""
        if self.path in ("/", "/index.html"):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(self.page)))
            self.end_headers()
            self.wfile.write(self.page)
            return
        if not self.path.startswith("/static/"):
            self.send_error(404)
            return
        self.path = self.path[len("/static") :]
        super().do_GET()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


def serve_page(config: dict[str, str]) -> tuple[ThreadingHTTPServer, str]:
    """Start a loopback HTTP server with the test page; returns it and its URL."""
    payload = json.dumps(json.dumps(config)).replace("</", "<\\/")
    handler = type("Handler", (_Handler,), {"page": PAGE.replace("%CONFIG%", payload).encode()})
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(STATIC)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


@pytest.fixture
def page_server() -> Iterator[list[ThreadingHTTPServer]]:
    """Collects the page servers a test starts and shuts them down afterwards."""
    servers: list[ThreadingHTTPServer] = []
    yield servers
    for server in servers:
        server.shutdown()
        server.server_close()


def events(driver: Any) -> list[str]:
    """Names of the softphone events the page saw so far."""
    return [e["name"] for e in driver.execute_script("return window.events")]


def rtp(driver: Any) -> dict[str, int]:
    """RTP audio packets the browser sent and received on the current call."""
    return dict(driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "window.phone.rtpStats().then(done, (e) => done({error: String(e)}));"
    ))  # fmt: skip


def channel_stats(table: str, endpoint: str) -> dict[str, int]:
    """Packets received and sent by the channel of ``endpoint`` in ``pjsip show channelstats``."""
    for line in table.splitlines():
        fields = line.split()
        if len(fields) >= 9 and fields[1].startswith(endpoint[:17]):
            return {"received": int(fields[4]), "sent": int(fields[8])}
    raise AssertionError(f"no channel of {endpoint} in:\n{table}")


def test_browser_softphone_takes_queue_call_audio_both_ways(
    e2e_harness: Harness, chromium: Any, tone: str, page_server: list[ThreadingHTTPServer]
) -> None:
    """Register from Chromium, ring, answer, RTP both ways, hang up in the browser, record."""
    h = e2e_harness
    username = "wiktoria"
    endpoint = f"agent-{username}"
    h.api("POST", "/api/agents", {"username": username, "display_name": "Wiktoria Webowa"})
    layout = provision.locate(h.settings)
    pjsip = layout.host(f"{layout.inst}/etc/pjsip.conf").read_text(encoding="utf-8")
    section = pjsip.split(f"[{endpoint}]")[1]
    assert "webrtc = yes" in section and "dtls_auto_generate_cert = yes" in section
    password = Credentials(h.settings.secrets_path).sip_password(endpoint)
    server, url = serve_page({
        "wsUrl": f"ws://127.0.0.1:{h.settings.asterisk.http_port}/ws",
        "sipUri": f"sip:{endpoint}@127.0.0.1",
        "password": password,
        "displayName": "Wiktoria Webowa",
    })  # fmt: skip
    page_server.append(server)

    chromium.get(url)
    h.wait_for(lambda: "registered" in events(chromium), 20, "browser registered",
               lambda: (events(chromium), chromium.get_log("browser")))  # fmt: skip
    contacts = process.rx(layout, f"pjsip show contacts like {endpoint}")
    assert f"{endpoint}/sip:" in contacts, contacts
    h.api("POST", f"/api/agents/{username}/login", {})
    h.wait_for(lambda: h.api("GET", f"/api/agents/{username}")["state"] == "available", 20,
               "agent available")  # fmt: skip

    before = h.call_ids()
    caller = h.call(ResidentCall(number="48500100301", name="Jan Przeglądarkowy",
                                 audio_pcap=tone, hangup_after_ms=60_000))  # fmt: skip
    h.wait_for(lambda: "incoming" in events(chromium), 40, "the browser ringing",
               lambda: events(chromium))  # fmt: skip
    incoming = next(e for e in chromium.execute_script("return window.events")
                    if e["name"] == "incoming")  # fmt: skip
    assert incoming["detail"]["callId"]
    assert incoming["detail"]["from"] == "48500100301", incoming
    assert chromium.execute_script("return window.phone.answer()") is True
    h.wait_for(lambda: "answered" in events(chromium), 10, "answered", lambda: events(chromium))

    # Audio both ways: the browser's fake microphone to the resident, the resident's tone to the
    # browser, over DTLS-SRTP; counted by the browser's RTCPeerConnection and by Asterisk.
    time.sleep(1)
    first = rtp(chromium)
    time.sleep(4)
    second = rtp(chromium)
    stats = process.rx(layout, "pjsip show channelstats")
    print(f"browser RTP after 1 s {first}, after 5 s {second}\n{stats}")
    assert second["sent"] - first["sent"] > 100, (first, second)
    assert second["received"] - first["received"] > 100, (first, second)
    agent_row = channel_stats(stats, endpoint)
    assert agent_row["received"] > 100 and agent_row["sent"] > 100, stats

    # Hold and mute go through and the call comes back with audio; a DTMF digit is accepted.
    assert chromium.execute_script("return window.phone.hold()") is True
    h.wait_for(lambda: "hold" in events(chromium), 10, "hold", lambda: events(chromium))
    time.sleep(1)
    assert chromium.execute_script("return window.phone.unhold()") is True
    h.wait_for(lambda: "unhold" in events(chromium), 10, "unhold", lambda: events(chromium))
    assert chromium.execute_script("return window.phone.mute()") is True
    assert chromium.execute_script("return window.phone.unmute()") is True
    assert events(chromium)[-2:] == ["mute", "unmute"]
    assert chromium.execute_script("return window.phone.sendDTMF('5')") is True
    resumed = rtp(chromium)
    time.sleep(2)
    later = rtp(chromium)
    print(f"browser RTP after hold/unhold: {resumed} then {later}")
    assert later["received"] - resumed["received"] > 40, (resumed, later)
    assert later["sent"] - resumed["sent"] > 40, (resumed, later)

    assert chromium.execute_script("return window.phone.hangup()") is True
    h.wait_for(lambda: "ended" in events(chromium), 10, "ended", lambda: events(chromium))
    assert caller.wait(30) == 0, caller.errors()
    call = h.wait_call(before, lambda c: bool(c["ended_at"]), 20)
    assert call["outcome"] == "answered", call
    assert call["agent"] == f"PJSIP/{endpoint}", call
    assert call["caller_number"] == "48500100301"
    assert call["talk_seconds"] > 0, call
    print(f"call record: {call['outcome']}, {call['agent']}, talk {call['talk_seconds']} s")
    chromium.execute_script("window.phone.stop()")
