"""Minute one after ``bin/up``, in headless Chromium against a real Asterisk and controller.

The demo accounts are made the way ``cic up`` makes them (before Asterisk's configuration is
rendered), so the konsultant's console softphone registers at once; the konsultant goes
available, ``cic demo call`` (the real command, as a process) rings the browser, the call is
answered there and the resident's speech arrives (the browser's RTCPeerConnection counts it),
the konsultant hangs up, and the call is on record with the demo resident's number. A
first-time administrator is greeted on ``/`` with "Pierwsze kroki" until they dismiss it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from cic.asterisk import process, provision
from cic.cli.lifecycle import start_pbx
from tests.e2e.axe import axe_violations
from tests.e2e.conftest import _missing, _unavailable
from tests.e2e.test_console import click, element, page_state, sign_in, visible, wait_data
from tests.integration.harness import REPO, Harness

pytestmark = pytest.mark.e2e

DEMO_NUMBER = "48500100200"
ENDPOINT = "agent-konsultant"
# Injected before any page script (over CDP, so the page's CSP does not apply): keeps every
# RTCPeerConnection the page makes, for getStats.
KEEP_PEER_CONNECTIONS = """
window.__peerConnections = [];
const Native = window.RTCPeerConnection;
window.RTCPeerConnection = function (...args) {
  const pc = new Native(...args);
  window.__peerConnections.push(pc);
  return pc;
};
window.RTCPeerConnection.prototype = Native.prototype;
Object.setPrototypeOf(window.RTCPeerConnection, Native);
"""
INBOUND_AUDIO = """
const done = arguments[arguments.length - 1];
const pcs = window.__peerConnections || [];
Promise.all(pcs.map((pc) => pc.getStats())).then((reports) => {
  const out = {bytes: 0, packets: 0, connections: pcs.length};
  reports.forEach((report) => report.forEach((s) => {
    if (s.type === "inbound-rtp" && (s.kind === "audio" || s.mediaType === "audio")) {
      out.bytes += s.bytesReceived || 0;
      out.packets += s.packetsReceived || 0;
    }
  }));
  done(out);
}, (e) => done({error: String(e)}));
"""


@pytest.fixture(scope="module")
def minute_one(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Harness, dict[str, str]]]:
    """A fresh office: Asterisk, then what ``cic up`` does on the first run (demo accounts,
    configuration, reload), then the controller; the demo passwords printed once."""
    missing = _missing()
    if missing:
        _unavailable(f"e2e tests need {', '.join(missing)} (bash bin/install-deps)")
    h = Harness.create(tmp_path_factory.mktemp("cic-minute-one"))
    try:
        _layout, made = start_pbx(h.settings)
        h.start_controller()
        yield h, {username: password for username, _role, password in made}
    finally:
        h.close()


def inbound_audio(driver: Any) -> dict[str, int]:
    """Audio bytes and packets the page's peer connections received so far."""
    return dict(driver.execute_async_script(INBOUND_AUDIO))


def test_demo_call_rings_the_konsultant_in_the_browser(
    minute_one: tuple[Harness, dict[str, str]], chromium_factory: Callable[[], Any]
) -> None:
    """Sign in as konsultant, Dostępny, ``cic demo call``, ring, answer, audio, hang up."""
    h, passwords = minute_one
    assert set(passwords) == {"admin", "kierownik", "konsultant"}
    base = f"http://127.0.0.1:{h.settings.web_port}"
    layout = provision.locate(h.settings)
    pjsip = layout.host(f"{layout.inst}/etc/pjsip.conf").read_text(encoding="utf-8")
    assert "webrtc = yes" in pjsip.split(f"[{ENDPOINT}]")[1]

    agent = chromium_factory()
    agent.execute_cdp_cmd(
        "Page.addScriptToEvaluateOnNewDocument", {"source": KEEP_PEER_CONNECTIONS}
    )
    sign_in(agent, base, "konsultant", passwords["konsultant"], "/konsola")
    wait_data(agent, "sip", "registered", 20, "the demo konsultant's softphone registered")
    contacts = process.rx(layout, f"pjsip show contacts like {ENDPOINT}")
    assert f"{ENDPOINT}/sip:" in contacts, contacts
    click(agent, "#btn-available")
    wait_data(agent, "presence", "available", 15, "presence available after #btn-available")
    Harness.wait_for(
        lambda: h.api("GET", "/api/agents/konsultant")["device"] == "NOT_INUSE", 15,
        "the browser phone registered and idle", lambda: h.api("GET", "/api/agents"),
    )  # fmt: skip

    before = h.call_ids()
    demo = subprocess.Popen(
        [sys.executable, "-m", "cic.cli", "demo", "call"], env={**os.environ, **h.env},
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        wait_data(agent, "call", "ringing", 60, "the console ringing for the demo call")
        Harness.wait_for(
            lambda: visible(agent, "#incoming")
            and element(agent, "#caller-number").text == DEMO_NUMBER,
            5, f"#caller-number {DEMO_NUMBER}", lambda: page_state(agent),
        )  # fmt: skip
        click(agent, "#btn-answer")
        wait_data(agent, "call", "active", 10, "the call active after #btn-answer")

        # The resident's speech (espeak-ng, repeated while the call waited) reaches the browser.
        start = inbound_audio(agent)
        Harness.wait_for(
            lambda: inbound_audio(agent)["packets"] - start.get("packets", 0) > 100, 20,
            "the resident's audio received by the browser", lambda: inbound_audio(agent),
        )  # fmt: skip
        heard = inbound_audio(agent)
        print(f"browser inbound audio: {heard}")
        assert heard["bytes"] > 0 and heard["connections"] >= 1, heard
        stats = process.rx(layout, "pjsip show channelstats")
        print(stats)

        click(agent, "#btn-hangup")
        wait_data(agent, "call", "ended", 10, "the call ended after #btn-hangup")
        out, _ = demo.communicate(timeout=90)
    finally:
        if demo.poll() is None:
            demo.kill()
            demo.communicate(timeout=10)
    print(out)
    assert demo.returncode == 0, out
    assert "Dzwoni do konsultanta w przeglądarce…" in out
    assert "Konsultant odebrał" in out and "Rozmowa zakończona." in out
    assert "Nikt nie jest dostępny" not in out and "konsultant=PJSIP/agent-konsultant" in out
    assert f"dzwonił: {DEMO_NUMBER}" in out

    call = h.wait_call(before, lambda c: bool(c["ended_at"]), 20)
    assert call["caller_number"] == DEMO_NUMBER, call
    assert call["outcome"] == "answered" and call["agent"] == f"PJSIP/{ENDPOINT}", call
    assert call["queue"] == h.settings.office.first_line_queue, call
    assert call["talk_seconds"] > 0, call
    assert "agent-demo" not in {a["interface"] for a in h.api("GET", "/api/agents")}


def test_first_time_admin_sees_the_first_steps_until_dismissed(
    minute_one: tuple[Harness, dict[str, str]], chromium: Any
) -> None:
    """ "Pierwsze kroki" on ``/`` with three steps, accessible; dismissed, it stays gone."""
    from selenium.webdriver.common.by import By

    h, passwords = minute_one
    base = f"http://127.0.0.1:{h.settings.web_port}"
    sign_in(chromium, base, "admin", passwords["admin"], "/admin")
    chromium.get(f"{base}/")
    Harness.wait_for(lambda: visible(chromium, "#first-steps"), 10, "Pierwsze kroki shown",
                     lambda: page_state(chromium))  # fmt: skip
    assert element(chromium, "#first-steps h2").text == "Pierwsze kroki"
    steps = [li.text for li in chromium.find_elements(By.CSS_SELECTOR, "#first-steps ol > li")]
    assert len(steps) == 3, steps
    assert "konsultant" in steps[0] and "Dostępny" in steps[0]
    assert "cic demo call" in steps[1]
    assert "Odbierz" in steps[2] and "przeglądzie nagrań" in steps[2]
    assert axe_violations(chromium) == []

    # It reloads itself every 5 s (fresh figures) until the reader turns that off.
    chromium.execute_script("window.notReloaded = true")
    Harness.wait_for(lambda: chromium.execute_script("return !window.notReloaded"), 10,
                     "the page reloaded by itself", lambda: page_state(chromium))  # fmt: skip
    click(chromium, "#auto-refresh")
    chromium.execute_script("document.activeElement.blur(); window.notReloaded = true")
    time.sleep(6)
    assert chromium.execute_script("return window.notReloaded") is True
    click(chromium, "#auto-refresh")  # back on for the next reader of this profile

    click(chromium, "#first-steps button[type=submit]")
    Harness.wait_for(
        lambda: chromium.current_url == f"{base}/" and not visible(chromium, "#first-steps")
        and bool(chromium.find_elements(By.CSS_SELECTOR, "h1")),
        10, "back on / without Pierwsze kroki", lambda: page_state(chromium),
    )  # fmt: skip
    chromium.get(f"{base}/")
    assert not chromium.find_elements(By.CSS_SELECTOR, "#first-steps"), page_state(chromium)
    assert axe_violations(chromium) == []
