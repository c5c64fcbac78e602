"""The agent console end to end, in two headless Chromiums against a real Asterisk and controller.

An agent signs in at /logowanie and lands on /konsola, whose softphone registers over WebSocket;
she goes available, a SIPp resident dials the municipal number, the console rings with the
caller's number, she answers (audio both ways through Asterisk), holds and resumes, hangs up and
saves the wrap-up. The call record carries the wrap-up. A supervisor, signed in in a second
browser, watches /nadzor: the queue's answered counter goes up and the agent's row changes state.
After the wrap-up time the resident calls back and the screen pop lists the earlier call.

The console's contract (element ids and ``body`` data attributes) is the one the page implements:
``body[data-sip|data-presence|data-call|data-wrapup]``, ``#btn-available``, ``#incoming`` with
``#caller-number``, ``#btn-answer``, ``#btn-hold``, ``#btn-hangup``, ``#wrapup-form`` …
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from cic.asterisk import process, provision
from cic.auth import users
from cic.calls.models import Call
from cic.db import Store
from cic.demo.scenarios import ResidentCall
from tests.integration.harness import Harness

pytestmark = pytest.mark.e2e

AGENT = "zofia"
ENDPOINT = f"agent-{AGENT}"
PASSWORDS = {"zofia": "haslo-zofii-123", "kierownik": "haslo-kierownika-123"}
QUEUE = "pierwsza-linia"
CALLER = "48500100500"
TOPIC = "podatek od nieruchomości – zażółć gęślą jaźń"
NOTE = "Pani Łucja prosi o oddzwonienie; <b>html</b> & „cudzysłów” – ŻÓŁĆ"
WANTED_OUTCOME = "oddzwonić"

# Recorded inside the supervisor's page: every state text of the agent's row and every answered
# figure of the first-line queue the wallboard rendered, in order (no polling gaps).
WATCH_WALLBOARD = """
const agent = arguments[0], queue = arguments[1];
window.seen = {states: [], answered: []};
const record = () => {
  const row = document.querySelector(`#agents tr[data-agent="${agent}"]`);
  if (row && row.cells.length > 1) {
    const state = row.cells[1].textContent;
    if (window.seen.states[window.seen.states.length - 1] !== state) window.seen.states.push(state);
  }
  const q = document.querySelector(`#queues tr[data-queue="${queue}"]`);
  if (q && q.cells.length > 3) {
    const answered = q.cells[3].textContent;
    const list = window.seen.answered;
    if (list[list.length - 1] !== answered) list.push(answered);
  }
};
new MutationObserver(record).observe(document.body, {childList: true, subtree: true,
                                                     characterData: true});
record();
"""


# --- page helpers ---


def data(driver: Any, key: str) -> str:
    """``document.body.dataset[key]`` ('' when absent)."""
    script = "return (document.body && document.body.dataset[arguments[0]]) || ''"
    return str(driver.execute_script(script, key))


def page_state(driver: Any) -> dict[str, Any]:
    """What a failure message should show: URL, body data attributes, the page's console log."""
    try:
        dataset = driver.execute_script("return Object.assign({}, document.body.dataset)")
        logs = [f"{e['level']} {e['message']}" for e in driver.get_log("browser")][-15:]
        text = driver.execute_script("return document.body.innerText")[:600]
    except Exception as exc:  # the detail of a failure must not fail itself
        return {"url": driver.current_url, "error": repr(exc)}
    return {"url": driver.current_url, "body": dataset, "console": logs, "text": text}


def wait_data(driver: Any, key: str, want: str, timeout: float, what: str = "") -> None:
    """Wait until ``body[data-<key>] == want``."""
    Harness.wait_for(
        lambda: data(driver, key) == want, timeout,
        what or f"body[data-{key}] == {want!r}", lambda: page_state(driver),
    )  # fmt: skip


def element(driver: Any, css: str) -> Any:
    """The one element matching ``css`` (fails with the page state if there is none)."""
    from selenium.webdriver.common.by import By

    found = driver.find_elements(By.CSS_SELECTOR, css)
    assert found, f"no element {css} on {driver.current_url}: {page_state(driver)}"
    return found[0]


def click(driver: Any, css: str) -> None:
    """Click ``css`` once it is displayed and enabled."""
    from selenium.webdriver.common.by import By

    def ready() -> bool:
        found = driver.find_elements(By.CSS_SELECTOR, css)
        return bool(found) and found[0].is_displayed() and found[0].is_enabled()

    Harness.wait_for(ready, 10, f"{css} visible and enabled", lambda: page_state(driver))
    driver.find_element(By.CSS_SELECTOR, css).click()


def visible(driver: Any, css: str) -> bool:
    """True when ``css`` exists and is displayed."""
    from selenium.webdriver.common.by import By

    found = driver.find_elements(By.CSS_SELECTOR, css)
    return bool(found) and bool(found[0].is_displayed())


def open_kb_article(driver: Any, query: str, slug: str) -> None:
    """Search the console's knowledge-base panel (again while the index is being built) and
    open the article ``slug`` from the results."""
    from selenium.webdriver.common.by import By

    hit = f'#kb-results button[data-slug="{slug}"]'

    def found() -> bool:
        element(driver, "#kb-query").clear()
        element(driver, "#kb-query").send_keys(query)
        click(driver, "#kb-search-form button")
        time.sleep(0.5)
        return bool(driver.find_elements(By.CSS_SELECTOR, hit))

    Harness.wait_for(found, 30, "the knowledge-base hit", lambda: page_state(driver))
    click(driver, hit)


def sign_in(
    driver: Any, base: str, username: str, password: str, landing: str, next_path: str = ""
) -> None:
    """Sign in through the real form (with its CSRF field) and wait to land on ``landing``.

    Waiting for the landing page itself matters: the sign-in page's address already starts
    with ``base``, and a page opened before the answer arrives is replaced by the landing.
    """
    driver.get(f"{base}/logowanie" + (f"?next={next_path}" if next_path else ""))
    element(driver, "#username").send_keys(username)
    element(driver, "#password").send_keys(password)
    element(driver, "form button[type=submit]").click()
    Harness.wait_for(
        lambda: driver.current_url.split("?")[0] == f"{base}{landing}", 15,
        f"{username} signed in and on {landing}", lambda: page_state(driver),
    )  # fmt: skip


def wallboard(driver: Any) -> dict[str, dict[str, list[str]]]:
    """The wallboard's rows as cell texts: {"queues": {queue: cells}, "agents": {name: cells}}."""
    return dict(driver.execute_script("""
        const rows = (css, key) => Object.fromEntries(Array.from(document.querySelectorAll(css))
            .map((r) => [r.dataset[key], Array.from(r.cells).map((c) => c.textContent)]));
        return {queues: rows("#queues tr[data-queue]", "queue"),
                agents: rows("#agents tr[data-agent]", "agent")};
    """))  # fmt: skip


def answered(driver: Any) -> int:
    """The answered counter of the first-line queue on the wallboard (0 while it has no row)."""
    row = wallboard(driver)["queues"].get(QUEUE)
    return int(row[3]) if row else 0


def agent_state(driver: Any) -> str:
    """The state text of the agent's row on the wallboard ('' while it has none)."""
    row = wallboard(driver)["agents"].get(AGENT)
    return row[1] if row else ""


# --- Asterisk helpers ---


def channel_packets(table: str, prefix: str) -> dict[str, int]:
    """Packets received and sent by the channel whose name starts with ``prefix``."""
    for line in table.splitlines():
        fields = line.split()
        if len(fields) >= 9 and fields[1].startswith(prefix[:17]):
            return {"received": int(fields[4]), "sent": int(fields[8])}
    raise AssertionError(f"no channel {prefix}… in pjsip show channelstats:\n{table}")


def select_option(driver: Any, css: str, wanted: str) -> str:
    """Choose the option whose value or text is ``wanted`` (else the first non-empty one).

    Returns the option's value: what the page saves as the outcome.
    """
    from selenium.webdriver.support.ui import Select

    select = Select(element(driver, css))
    options = [(o.get_attribute("value") or "", o.text.strip()) for o in select.options]
    assert options, f"{css} has no options"
    chosen = next((o for o in options if wanted in o), None)
    chosen = chosen or next(o for o in options if o[0])
    select.select_by_value(chosen[0])
    return chosen[0]


def seed_users(h: Harness) -> None:
    """The agent (WebRTC endpoint, no static contact) and two users sharing the controller's DB."""
    h.api("POST", "/api/agents", {"username": AGENT, "display_name": "Zofia Testowa"})
    now = datetime.now(UTC)

    def add(db: Any) -> None:
        users.add(db, "zofia", "Zofia Testowa", "agent", PASSWORDS["zofia"],
                  agent_username=AGENT, now=now)  # fmt: skip
        users.add(db, "kierownik", "Kierownik Zmiany", "supervisor", PASSWORDS["kierownik"],
                  now=now)  # fmt: skip

    store = Store(h.settings.db_url)
    try:
        store.run_sync(add)
    finally:
        store.engine.dispose()


def seed_open_case(h: Harness, number: str) -> str:
    """An earlier call from ``number`` noted as a report that became a case; its signature."""
    earlier = f"e2e-earlier-{time.time_ns()}"
    store = Store(h.settings.db_url)
    try:
        store.run_sync(lambda s: s.add(Call(call_id=earlier, caller_number=number,
                                            outcome="answered")))  # fmt: skip
    finally:
        store.engine.dispose()
    report = h.api("POST", "/api/zgloszenia", {"topic": "Raty podatku", "call_id": earlier})
    body = {"unit": "FN", "jrwa": "3110", "title": "Raty podatku od nieruchomości"}
    case = h.api("POST", f"/api/zgloszenia/{report['id']}/sprawa", body)
    return str(case["signature"])


def test_agent_console_takes_call_and_wraps_up_while_supervisor_watches(
    e2e_harness: Harness, chromium_factory: Callable[[], Any], tone: str
) -> None:
    """Sign in, available, ring, answer, RTP, hold, hang up, wrap-up, wallboard, call back."""
    from selenium.webdriver.common.by import By

    h = e2e_harness
    base = f"http://127.0.0.1:{h.settings.web_port}"
    layout = provision.locate(h.settings)
    # Only this test's agent may be offered the call (other e2e tests leave theirs logged in).
    for other in h.api("GET", "/api/agents"):
        if other["state"] != "offline":
            h.api("POST", f"/api/agents/{other['username']}/logout", {})
    seed_users(h)

    # The agent: sign in, the console's softphone registers, she goes available.
    agent = chromium_factory()
    sign_in(agent, base, "zofia", PASSWORDS["zofia"], "/konsola")
    wait_data(agent, "sip", "registered", 20, "the console's softphone registered")
    contacts = process.rx(layout, f"pjsip show contacts like {ENDPOINT}")
    assert f"{ENDPOINT}/sip:" in contacts, f"no WebRTC contact for {ENDPOINT}:\n{contacts}"
    offline_label = element(agent, "#presence-state").text
    click(agent, "#btn-available")
    wait_data(agent, "presence", "available", 15, "presence available after #btn-available")
    available_label = element(agent, "#presence-state").text
    assert available_label and available_label != offline_label, (offline_label, available_label)
    Harness.wait_for(
        lambda: h.api("GET", f"/api/agents/{AGENT}")["state"] == "available", 10,
        "the controller's presence available", lambda: h.api("GET", "/api/agents"),
    )  # fmt: skip
    assert data(agent, "call") == "idle", page_state(agent)

    # The supervisor in a second browser (own profile, own session) on the live wallboard.
    boss = chromium_factory()
    sign_in(boss, base, "kierownik", PASSWORDS["kierownik"], "/nadzor")
    Harness.wait_for(lambda: agent_state(boss) == "dostępny", 15,
                     "the wallboard showing zofia available", lambda: wallboard(boss))  # fmt: skip
    boss.execute_script(WATCH_WALLBOARD, AGENT, QUEUE)
    answered_before = answered(boss)

    # The resident has a case open from an earlier call: the pop lists it, the report joins it.
    signature = seed_open_case(h, CALLER)

    # A resident calls; the console rings with the screen pop.
    before = h.call_ids()
    caller = h.call(ResidentCall(number=CALLER, name="Jan Konsolowy", audio_pcap=tone,
                                 hangup_after_ms=60_000))  # fmt: skip
    wait_data(agent, "call", "ringing", 40, "the console ringing")
    Harness.wait_for(
        lambda: visible(agent, "#incoming") and element(agent, "#caller-number").text == CALLER,
        5, f"#incoming visible with #caller-number {CALLER}", lambda: page_state(agent),
    )  # fmt: skip
    wait_data(agent, "presence", "ringing", 10)
    pop = {css: element(agent, css).text for css in ("#caller-name", "#history")}
    print(f"screen pop: {pop}")  # no earlier calls from this number yet
    click(agent, "#btn-answer")
    wait_data(agent, "call", "active", 10, "the call active after #btn-answer")
    assert visible(agent, "#incoming"), "the screen pop must stay while the call is active"
    wait_data(agent, "presence", "on_call", 10)
    Harness.wait_for(lambda: agent_state(boss) == "w rozmowie", 10,
                     "the wallboard showing zofia on a call", lambda: wallboard(boss))  # fmt: skip

    # Audio both ways, counted by Asterisk on the browser's channel and on the resident's.
    time.sleep(1)
    first = process.rx(layout, "pjsip show channelstats")
    time.sleep(4)
    second = process.rx(layout, "pjsip show channelstats")
    print(f"channel stats after 1 s:\n{first}\nafter 5 s:\n{second}")
    for prefix in (ENDPOINT, "residents"):
        a, b = channel_packets(first, prefix), channel_packets(second, prefix)
        assert b["received"] - a["received"] > 100, (prefix, "received", a, b)
        assert b["sent"] - a["sent"] > 100, (prefix, "sent", a, b)

    # The knowledge base beside the call: Polish search without diacritics, the article opens
    # and its use is counted for this call.
    slug = "podatek-od-nieruchomosci"
    open_kb_article(agent, "podatek od nieruchomosci", slug)
    Harness.wait_for(lambda: visible(agent, "#kb-article"), 10, "the article shown",
                     lambda: page_state(agent))  # fmt: skip
    assert "Podatek od nieruchomości" in element(agent, "#kb-article-title").text
    Harness.wait_for(lambda: h.api("GET", f"/api/kb/articles/{slug}")["usage_count"] >= 1, 10,
                     "the article's use counted")  # fmt: skip

    # Hold and resume with the same button; mute and unmute; the call stays up.
    click(agent, "#btn-hold")
    wait_data(agent, "call", "held", 10, "the call held after #btn-hold")
    click(agent, "#btn-hold")
    wait_data(agent, "call", "active", 10, "the call resumed after #btn-hold again")
    click(agent, "#btn-mute")
    click(agent, "#btn-mute")
    assert data(agent, "call") == "active", page_state(agent)

    # The agent hangs up and saves the wrap-up.
    click(agent, "#btn-hangup")
    wait_data(agent, "call", "ended", 10, "the call ended after #btn-hangup")
    Harness.wait_for(lambda: visible(agent, "#wrapup-form"), 10, "#wrapup-form shown",
                     lambda: page_state(agent))  # fmt: skip
    assert caller.wait(30) == 0, caller.errors()
    outcome = select_option(agent, "#wrapup-outcome", WANTED_OUTCOME)
    element(agent, "#wrapup-topic").clear()
    element(agent, "#wrapup-topic").send_keys(TOPIC)
    element(agent, "#wrapup-note").clear()
    element(agent, "#wrapup-note").send_keys(NOTE)
    click(agent, "#wrapup-report")  # also a contact report, handed to the finance unit
    element(agent, "#wrapup-department").send_keys("FN")
    assert select_option(agent, "#wrapup-case", signature) == signature
    click(agent, "#btn-wrapup-save")
    wait_data(agent, "wrapup", "saved", 10, "body[data-wrapup] == 'saved' after saving")
    Harness.wait_for(lambda: bool(data(agent, "report")), 10, "the contact report saved",
                     lambda: page_state(agent))  # fmt: skip

    # The call record: answered by the browser's endpoint, talk time, the wrap-up exactly.
    call = h.wait_call(before, lambda c: bool(c["ended_at"]), 20)
    assert call["caller_number"] == CALLER, call
    assert call["outcome"] == "answered", call
    assert call["agent"] == f"PJSIP/{ENDPOINT}", call
    assert call["talk_seconds"] > 0, call
    wrapups = h.api("GET", f"/api/calls/{call['call_id']}/wrapups")
    assert len(wrapups) == 1, wrapups
    saved = wrapups[0]
    assert (saved["outcome"], saved["topic"], saved["note"]) == (outcome, TOPIC, NOTE), saved
    assert (saved["agent"], saved["saved_by"]) == (f"PJSIP/{ENDPOINT}", "zofia"), saved
    [report] = h.api("GET", f"/api/zgloszenia?call_id={call['call_id']}")
    assert (report["topic"], report["note"], report["department"]) == (TOPIC, NOTE, "FN"), report
    assert report["status"] == "przekazane" and report["owner"] == "zofia", report
    assert report["case"] == signature, report
    metryka = h.api("GET", f"/api/sprawy/{signature}/metryka")
    assert call["call_id"] in [a["document_id"] for a in metryka if a["action"] == "rozmowa"]

    # The wallboard counted the answered call and showed the agent's states change live.
    Harness.wait_for(lambda: answered(boss) == answered_before + 1, 15,
                     f"answered on {QUEUE} going from {answered_before} to {answered_before + 1}",
                     lambda: wallboard(boss))  # fmt: skip
    seen = boss.execute_script("return window.seen")
    print(f"wallboard seen: {seen}; presence labels {offline_label!r} -> {available_label!r}")
    assert "w rozmowie" in seen["states"] and seen["states"][0] == "dostępny", seen
    assert seen["answered"][-1] == str(answered_before + 1), seen

    # After the wrap-up time she is available again; the same resident calls back and the screen
    # pop lists the earlier call (newest first, then the seeded one of the open case), with the
    # typed HTML shown as text, never as markup.
    wait_data(agent, "presence", "available", 30, "available again after the wrap-up time")
    again = h.call_ids()
    caller = h.call(ResidentCall(number=CALLER, name="Jan Konsolowy", audio_pcap=tone,
                                 hangup_after_ms=60_000))  # fmt: skip
    wait_data(agent, "call", "ringing", 40, "the console ringing for the second call")
    Harness.wait_for(
        lambda: element(agent, "#caller-number").text == CALLER
        and len(agent.find_elements(By.CSS_SELECTOR, "#history li")) == 2,
        5, "#history listing the earlier call and the seeded one", lambda: page_state(agent),
    )  # fmt: skip
    history = element(agent, "#history li").text
    print(f"history on the second call: {history!r}")
    assert TOPIC in history and outcome in history, f"earlier call without its wrap-up: {history!r}"
    assert not agent.find_elements(By.CSS_SELECTOR, "#incoming b"), page_state(agent)
    click(agent, "#btn-answer")
    wait_data(agent, "call", "active", 10, "the second call active")
    click(agent, "#btn-hangup")
    wait_data(agent, "call", "ended", 10, "the second call ended")
    assert caller.wait(30) == 0, caller.errors()
    callback = h.wait_call(again, lambda c: bool(c["ended_at"]), 20)
    assert (callback["outcome"], callback["agent"]) == ("answered", f"PJSIP/{ENDPOINT}"), callback
