"""The admin pages end to end in headless Chromium against a real Asterisk and controller.

An administrator signs in and lands on /admin, adds a department whose name is markup and
Polish letters (shown as text, never run), edits it through the row's "Edytuj" button, then
adds an agent in that department with a console account: the page shows the initial password
once, the agent's PJSIP endpoint is live in Asterisk at once (no restart), and the new account
signs in with that password.
"""

from __future__ import annotations

from typing import Any

import pytest

from cic.asterisk import process, provision
from cic.auth import users
from cic.db import Store, utcnow
from tests.e2e.test_console import element, page_state, sign_in
from tests.integration.harness import Harness

pytestmark = pytest.mark.e2e

ADMIN, PASSWORD = "admin-e2e", "haslo-admina-e2e-1"
ODD = "<img src=x onerror=alert(1)> Wydział Ochrony Środowiska – zażółć gęślą jaźń"


def cell_texts(driver: Any, row_css: str) -> list[str]:
    """The text of each cell of the row matching ``row_css`` (empty if there is none).

    Read in one script, so a table re-rendered meanwhile cannot leave a stale element behind.
    """
    script = (
        "const row = document.querySelector(arguments[0]);"
        "return row ? Array.from(row.cells).map((c) => c.innerText.trim()) : [];"
    )
    return [str(t) for t in driver.execute_script(script, row_css)]


def no_alert(driver: Any) -> bool:
    """True when no JavaScript alert is open (nothing the data carried was run)."""
    from selenium.common.exceptions import NoAlertPresentException

    try:
        driver.switch_to.alert  # noqa: B018 - raises when there is none
    except NoAlertPresentException:
        return True
    return False


def test_admin_adds_department_and_agent_through_the_page(
    e2e_harness: Harness, chromium: Any
) -> None:
    h = e2e_harness
    Store(h.settings.db_url).run_sync(
        lambda db: users.add(db, ADMIN, "Administrator", "admin", PASSWORD, now=utcnow())
    )
    base = f"http://{h.settings.web_host}:{h.settings.web_port}"
    sign_in(chromium, base, ADMIN, PASSWORD, "/admin")

    chromium.get(f"{base}/admin/wydzialy")
    element(chromium, "#department-form [name=code]").send_keys("OS")
    element(chromium, "#department-form [name=name]").send_keys(ODD)
    element(chromium, "#department-form button[type=submit]").click()
    h.wait_for(
        lambda: bool(cell_texts(chromium, 'tr[data-code="OS"]')), 15, "department row",
        lambda: page_state(chromium),
    )  # fmt: skip
    assert cell_texts(chromium, 'tr[data-code="OS"]')[:2] == ["OS", ODD]
    assert no_alert(chromium)

    element(chromium, 'button[data-edit="department"][data-key="OS"]').click()
    h.wait_for(
        lambda: element(chromium, "#department-form [name=name]").get_attribute("value") == ODD,
        10, "edit form filled", lambda: page_state(chromium),
    )  # fmt: skip
    name = element(chromium, "#department-form [name=name]")
    name.clear()
    name.send_keys("Ochrona Środowiska")
    element(chromium, "#department-form button[type=submit]").click()
    h.wait_for(
        lambda: cell_texts(chromium, 'tr[data-code="OS"]')[1:2] == ["Ochrona Środowiska"], 15,
        "department renamed", lambda: page_state(chromium),
    )  # fmt: skip

    from selenium.webdriver.support.ui import Select

    chromium.get(f"{base}/admin/agenci")
    element(chromium, "#agent-form [name=username]").send_keys("e2e-adam")
    element(chromium, "#agent-form [name=display_name]").send_keys("Adam Żółtowski")
    Select(element(chromium, "#agent-form [name=department]")).select_by_value("OS")
    element(chromium, "#agent-form [name=create_account]").click()
    element(chromium, "#agent-form button[type=submit]").click()
    h.wait_for(
        lambda: element(chromium, "#password-box").is_displayed(), 20, "initial password shown",
        lambda: page_state(chromium),
    )  # fmt: skip
    password = element(chromium, "#password-value").text
    assert len(password) >= 10 and element(chromium, "#password-user").text == "e2e-adam"

    layout = provision.locate(h.settings)
    pid = process.running_pid(layout)
    show = "pjsip show endpoint agent-e2e-adam"
    h.wait_for(
        lambda: "Endpoint:  agent-e2e-adam" in process.rx(layout, show),
        20, "endpoint agent-e2e-adam live",
    )  # fmt: skip
    assert process.running_pid(layout) == pid

    element(chromium, "#password-done").click()
    h.wait_for(
        lambda: bool(cell_texts(chromium, 'tr[data-username="e2e-adam"]')), 15, "agent row",
        lambda: page_state(chromium),
    )  # fmt: skip
    row = cell_texts(chromium, 'tr[data-username="e2e-adam"]')
    assert row[:3] == ["e2e-adam", "Adam Żółtowski", "OS"], row
    assert "pierwsza-linia (0)" in row[3]

    chromium.delete_all_cookies()
    sign_in(chromium, base, "e2e-adam", password, "/konsola")
