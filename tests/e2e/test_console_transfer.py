"""Consulting a colleague from the agent console, in headless Chromium against a real Asterisk.

The agent answers a resident in the browser, sees a finance specialist (a SIPp phone) as free
in "Kto jest wolny", consults him with a note (the resident hears hold music), then returns to
the resident with "Wróć do rozmówcy". The transfer is on record with its note and its legs.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from cic.auth import users
from cic.db import Store
from cic.demo.scenarios import AgentPhone, ResidentCall
from tests.e2e.test_console import (
    click,
    data,
    element,
    open_kb_article,
    page_state,
    wait_data,
)
from tests.integration.harness import Harness

pytestmark = pytest.mark.e2e

AGENT, PASSWORD = "xfer-ola", "haslo-oli-12345"
COLLEAGUE = "xfer-piotr"
NOTE = "Pyta o ratę podatku – „pilne”"
ROW = f'#directory li[data-agent="{COLLEAGUE}"]'


def _seed(h: Harness) -> None:
    """The browser agent with her account, and a finance specialist on a SIPp phone."""
    h.api("POST", "/api/agents", {"username": AGENT, "display_name": "Ola Przekazująca"})
    store = Store(h.settings.db_url)
    try:
        now = datetime.now(UTC)
        store.run_sync(
            lambda db: users.add(
                db, AGENT, "Ola Przekazująca", "agent", PASSWORD, agent_username=AGENT, now=now
            )
        )
    finally:
        store.engine.dispose()
    h.specialist(COLLEAGUE, "xfer-finanse", "Piotr Podatkowy", AgentPhone(ring_ms=800))


def _colleague_state(driver: Any) -> str:
    script = "const r = document.querySelector(arguments[0]); return r ? r.dataset.state : '';"
    return str(driver.execute_script(script, ROW))


def test_agent_consults_a_free_specialist_and_returns_to_the_resident(
    e2e_harness: Harness, chromium_factory: Callable[[], Any], tone: str
) -> None:
    h = e2e_harness
    base = f"http://127.0.0.1:{h.settings.web_port}"
    for other in h.api("GET", "/api/agents"):
        if other["state"] != "offline":
            h.api("POST", f"/api/agents/{other['username']}/logout", {})
    _seed(h)

    agent = chromium_factory()
    agent.get(f"{base}/logowanie")
    element(agent, "#username").send_keys(AGENT)
    element(agent, "#password").send_keys(PASSWORD)
    element(agent, "form button[type=submit]").click()
    wait_data(agent, "sip", "registered", 20, "the console's softphone registered")
    Harness.wait_for(lambda: _colleague_state(agent) == "available", 15,
                     "the specialist shown as free", lambda: page_state(agent))  # fmt: skip
    click(agent, "#btn-available")
    wait_data(agent, "presence", "available", 15)

    caller = h.call(ResidentCall(number="48500100601", name="Jan Przekazywany", audio_pcap=tone,
                                 hangup_after_ms=90_000))  # fmt: skip
    wait_data(agent, "call", "ringing", 40, "the console ringing")
    click(agent, "#btn-answer")
    wait_data(agent, "call", "active", 10)
    Harness.wait_for(lambda: bool(agent.execute_script("return window.cicConsole.callId()")),
                     15, "the call id from the screen pop", lambda: page_state(agent))  # fmt: skip
    call_id = str(agent.execute_script("return window.cicConsole.callId()"))

    # The article the agent reads travels with the consult.
    slug = "terminy-platnosci-podatkow"
    open_kb_article(agent, "raty podatku", slug)
    wait_data(agent, "kbArticle", slug, 10, "the article open")
    element(agent, "#transfer-note").send_keys(NOTE)
    click(agent, f'{ROW} button[data-kind="consult"]')
    wait_data(agent, "transfer", "consulting", 15, "the consult started")
    Harness.wait_for(lambda: h.api("GET", f"/api/agents/{COLLEAGUE}")["state"] == "on_call",
                     20, "the specialist talking to the agent")  # fmt: skip
    Harness.wait_for(lambda: _colleague_state(agent) == "on_call", 10,
                     "the directory: specialist busy", lambda: page_state(agent))  # fmt: skip
    click(agent, "#btn-transfer-cancel")
    Harness.wait_for(lambda: data(agent, "transfer") in ("returned", "cancelled"), 20,
                     "back with the resident", lambda: page_state(agent))  # fmt: skip
    assert data(agent, "call") == "active", page_state(agent)

    transfers = h.api("GET", f"/api/calls/{call_id}/transfers")
    latest = transfers[0] if isinstance(transfers, list) else transfers["transfers"][0]
    assert latest["state"] == "returned" and latest["note"] == NOTE, latest
    assert latest["article"] == slug, latest
    click(agent, "#btn-hangup")
    wait_data(agent, "call", "ended", 15)
    assert caller.wait(30) == 0, caller.errors()


def test_agent_hands_the_resident_over_with_polacz_z_rozmowca(
    e2e_harness: Harness, chromium_factory: Callable[[], Any], tone: str
) -> None:
    """Consult, then 'Połącz z rozmówcą': the browser call ends with the wrap-up form, the
    resident talks to the specialist, and the call record tells both legs."""
    h = e2e_harness
    base = f"http://127.0.0.1:{h.settings.web_port}"
    for other in h.api("GET", "/api/agents"):
        if other["state"] != "offline":
            h.api("POST", f"/api/agents/{other['username']}/logout", {})
    agent_name, password, colleague = "xfer-ewa", "haslo-ewy-12345", "xfer-jerzy"
    h.api("POST", "/api/agents", {"username": agent_name, "display_name": "Ewa Łącząca"})
    store = Store(h.settings.db_url)
    try:
        now = datetime.now(UTC)
        store.run_sync(lambda db: users.add(db, agent_name, "Ewa Łącząca", "agent", password,
                                            agent_username=agent_name, now=now))  # fmt: skip
    finally:
        store.engine.dispose()
    h.specialist(colleague, "xfer-usc", "Jerzy Stanu Cywilnego", AgentPhone(ring_ms=800))
    row = f'#directory li[data-agent="{colleague}"]'

    agent = chromium_factory()
    agent.get(f"{base}/logowanie")
    element(agent, "#username").send_keys(agent_name)
    element(agent, "#password").send_keys(password)
    element(agent, "form button[type=submit]").click()
    wait_data(agent, "sip", "registered", 20, "the console's softphone registered")
    script = "const r = document.querySelector(arguments[0]); return r ? r.dataset.state : '';"
    Harness.wait_for(lambda: agent.execute_script(script, row) == "available", 15,
                     "the specialist shown as free", lambda: page_state(agent))  # fmt: skip
    click(agent, "#btn-available")
    wait_data(agent, "presence", "available", 15)

    before = h.call_ids()
    caller = h.call(ResidentCall(number="48500100602", name="Anna Łączona", audio_pcap=tone,
                                 hangup_after_ms=45_000))  # fmt: skip
    wait_data(agent, "call", "ringing", 40, "the console ringing")
    click(agent, "#btn-answer")
    wait_data(agent, "call", "active", 10)
    Harness.wait_for(lambda: bool(agent.execute_script("return window.cicConsole.callId()")),
                     15, "the call id from the screen pop", lambda: page_state(agent))  # fmt: skip
    call_id = str(agent.execute_script("return window.cicConsole.callId()"))
    click(agent, f'{row} button[data-kind="consult"]')
    wait_data(agent, "transfer", "consulting", 15, "the consult started")
    Harness.wait_for(lambda: h.api("GET", f"/api/agents/{colleague}")["state"] == "on_call",
                     20, "the specialist talking to the agent")  # fmt: skip
    click(agent, "#btn-transfer-complete")
    wait_data(agent, "call", "ended", 20, "the agent's own call ended by the handover")
    Harness.wait_for(lambda: data(agent, "transfer") == "completed", 20,
                     "the console shows the handover", lambda: page_state(agent))  # fmt: skip
    assert element(agent, "#wrapup-form").is_displayed(), page_state(agent)
    assert h.api("GET", f"/api/agents/{colleague}")["state"] == "on_call"
    assert caller.wait(90) == 0, caller.errors()
    record = h.wait_call(before, lambda c: bool(c["ended_at"] and c["recordings"]), 30)
    assert record["call_id"] == call_id
    assert [(leg["agent"], leg["end"]) for leg in record["legs"]] == [
        (f"PJSIP/agent-{agent_name}", "transferred_attended"),
        (f"PJSIP/agent-{colleague}", "completed"),
    ]
