"""Supervisor actions on the wallboard, in headless Chromium against a real Asterisk and controller.

A SIPp agent logs in to the first-line queue and pauses. The supervisor, signed in at /nadzor,
sees the agent's row with "Zakończ przerwę" and "Wyloguj": ending the pause makes the agent
available in the controller and the row changes live (the button goes away); "Wyloguj" asks for a
confirmation (declined: nothing happens; accepted: the agent is out of the queue). When the
supervisor's session has been revoked, the action is refused and the page says so in Polish.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from cic.auth import users
from cic.db import Store
from tests.e2e.test_console import element, page_state, wallboard
from tests.integration.harness import Harness

pytestmark = pytest.mark.e2e

AGENT = "wb-akcje"
SUPERVISOR, PASSWORD = "nadzorca", "haslo-nadzorcy-123"
REASON = "szkolenie"
ROW = f'#agents tr[data-agent="{AGENT}"]'
# Records the URL of every request the page sends with fetch (to see that a decline sends none).
COUNT_POSTS = """
window.posts = [];
const original = window.fetch;
window.fetch = (url, init) => { window.posts.push(String(url)); return original(url, init); };
"""


def seed_supervisor(h: Harness) -> None:
    """A supervisor account in the controller's database."""
    now = datetime.now(UTC)
    store = Store(h.settings.db_url)
    try:
        store.run_sync(
            lambda db: users.add(
                db, SUPERVISOR, "Nadzorca Testowy", "supervisor", PASSWORD, now=now
            )
        )
    finally:
        store.engine.dispose()


def state(h: Harness) -> str:
    """The agent's presence state in the controller."""
    return str(h.api("GET", f"/api/agents/{AGENT}")["state"])


def row_state(driver: Any) -> str:
    """The state text of the agent's row on the wallboard ('' while it has none)."""
    row = wallboard(driver)["agents"].get(AGENT)
    return row[1] if row else ""


def button_shown(driver: Any, action: str) -> bool:
    """True when the agent's row shows the ``action`` button."""
    script = (
        "const b = document.querySelector(arguments[0]);"
        "return !!b && !b.hidden && b.offsetParent !== null;"
    )
    return bool(driver.execute_script(script, f'{ROW} button[data-action="{action}"]'))


def press(driver: Any, action: str) -> None:
    """Click the agent row's ``action`` button once it is shown."""
    Harness.wait_for(lambda: button_shown(driver, action), 10, f"the {action} button shown",
                     lambda: page_state(driver))  # fmt: skip
    element(driver, f'{ROW} button[data-action="{action}"]').click()


def confirm(driver: Any, accept: bool) -> str:
    """Answer the page's confirmation dialog; returns its text."""
    from selenium.common.exceptions import NoAlertPresentException

    found: list[Any] = []

    def alert_open() -> bool:
        try:
            found[:] = [driver.switch_to.alert]
        except NoAlertPresentException:
            return False
        return True

    Harness.wait_for(alert_open, 5, "a confirmation dialog")
    text = str(found[0].text)
    if accept:
        found[0].accept()
    else:
        found[0].dismiss()
    return text


def test_supervisor_ends_pause_and_logs_agent_out_from_wallboard(
    e2e_harness: Harness, chromium: Any
) -> None:
    """Unpause and log out from /nadzor; presence changes in the controller and on the row."""
    h = e2e_harness
    base = f"http://127.0.0.1:{h.settings.web_port}"
    seed_supervisor(h)
    h.login(AGENT)
    Harness.wait_for(lambda: state(h) == "available", 20, "the SIPp agent available",
                     lambda: h.api("GET", f"/api/agents/{AGENT}"))  # fmt: skip
    h.api("POST", f"/api/agents/{AGENT}/pause", {"reason": REASON})
    assert state(h) == "paused"

    driver = chromium
    driver.get(f"{base}/logowanie")
    element(driver, "#username").send_keys(SUPERVISOR)
    element(driver, "#password").send_keys(PASSWORD)
    element(driver, "form button[type=submit]").click()
    Harness.wait_for(lambda: driver.current_url.split("?")[0] == f"{base}/nadzor", 15,
                     "the supervisor on /nadzor", lambda: page_state(driver))  # fmt: skip
    Harness.wait_for(lambda: row_state(driver) == "przerwa", 15, "the row showing the pause",
                     lambda: wallboard(driver))  # fmt: skip
    assert wallboard(driver)["agents"][AGENT][2] == REASON
    assert button_shown(driver, "unpause") and button_shown(driver, "logout")

    # End the pause: the controller has the agent available, the row follows without a reload.
    press(driver, "unpause")
    Harness.wait_for(lambda: state(h) == "available", 10, "the agent available after unpause",
                     lambda: page_state(driver))  # fmt: skip
    Harness.wait_for(
        lambda: row_state(driver) == "dostępny" and not button_shown(driver, "unpause"), 10,
        "the row available without the unpause button", lambda: wallboard(driver),
    )  # fmt: skip
    Harness.wait_for(
        lambda: "przerwa zakończona" in element(driver, "#wallboard-message").text, 10,
        "the page confirming the pause ended", lambda: page_state(driver),
    )  # fmt: skip

    # Log out: declining the confirmation sends nothing; accepting takes the agent out.
    driver.execute_script(COUNT_POSTS)
    press(driver, "logout")
    question = confirm(driver, accept=False)
    assert "Wylogować" in question and AGENT.title() in question, question
    assert driver.execute_script("return window.posts") == [], "sent although declined"
    assert state(h) == "available"
    press(driver, "logout")
    confirm(driver, accept=True)
    Harness.wait_for(lambda: state(h) == "offline", 10, "the agent offline after logout",
                     lambda: page_state(driver))  # fmt: skip
    Harness.wait_for(
        lambda: row_state(driver) == "niezalogowany" and not button_shown(driver, "logout"), 10,
        "the row offline without the logout button", lambda: wallboard(driver),
    )  # fmt: skip
    assert not driver.execute_script("return document.body.dataset.actionError || ''")

    # A refused action is explained in Polish and changes nothing.
    h.api("POST", f"/api/agents/{AGENT}/login", {})
    Harness.wait_for(lambda: button_shown(driver, "logout"), 15, "the logout button again",
                     lambda: wallboard(driver))  # fmt: skip
    h.api("POST", f"/api/auth/users/{SUPERVISOR}/revoke", {})
    press(driver, "logout")
    confirm(driver, accept=True)
    Harness.wait_for(
        lambda: "zaloguj się ponownie" in element(driver, "#wallboard-message").text, 10,
        "the Polish error shown", lambda: page_state(driver),
    )  # fmt: skip
    assert state(h) != "offline"
    h.api("POST", f"/api/agents/{AGENT}/logout", {})


def test_supervisor_borrows_a_specialist_into_the_first_line_and_gives_them_back(
    e2e_harness: Harness, chromium: Any
) -> None:
    """ "Do 1. linii" puts a department specialist into the first-line queue, "Zwolnij" takes
    them out again; the row and the controller agree, live."""
    h = e2e_harness
    base = f"http://127.0.0.1:{h.settings.web_port}"
    specialist = "wb-specjalista"
    row = f'#agents tr[data-agent="{specialist}"]'
    h.specialist(specialist, "wb-finanse", "Specjalista Finansów")
    if not _has_user(h, SUPERVISOR):
        seed_supervisor(h)

    def borrowed() -> bool:
        view = h.api("GET", "/api/first-line")
        return any(m["username"] == specialist and m["in_first_line"] for m in view["members"])

    def shown(action: str) -> bool:
        script = (
            "const b = document.querySelector(arguments[0]);"
            "return !!b && !b.hidden && b.offsetParent !== null;"
        )
        return bool(chromium.execute_script(script, f'{row} button[data-action="{action}"]'))

    driver = chromium
    driver.get(f"{base}/logowanie")
    element(driver, "#username").send_keys(SUPERVISOR)
    element(driver, "#password").send_keys(PASSWORD)
    element(driver, "form button[type=submit]").click()
    Harness.wait_for(lambda: shown("borrow") and not shown("giveback"), 20,
                     "the borrow button", lambda: page_state(driver))  # fmt: skip
    element(driver, f'{row} button[data-action="borrow"]').click()
    Harness.wait_for(borrowed, 10, "the specialist in the first line", lambda: page_state(driver))
    Harness.wait_for(lambda: shown("giveback") and not shown("borrow"), 10,
                     "the give-back button", lambda: wallboard(driver))  # fmt: skip
    element(driver, f'{row} button[data-action="giveback"]').click()
    Harness.wait_for(lambda: not borrowed(), 10, "the specialist given back",
                     lambda: page_state(driver))  # fmt: skip
    Harness.wait_for(lambda: shown("borrow"), 10, "the borrow button again",
                     lambda: wallboard(driver))  # fmt: skip
    h.api("POST", f"/api/agents/{specialist}/logout", {})


def _has_user(h: Harness, username: str) -> bool:
    store = Store(h.settings.db_url)
    try:
        return bool(store.run_sync(lambda db: users.find(db, username) is not None))
    finally:
        store.engine.dispose()
