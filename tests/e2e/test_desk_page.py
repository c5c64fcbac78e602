"""The front desk in headless Chromium: an agent finds a resident by PESEL and records a walk-in
visit with the keyboard alone; the visit is in the day's list and the PESEL is nowhere on the
page, in its address or in what the API answered."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest

from cic.auth import users
from cic.db import Store
from tests.e2e.test_console import data, element, page_state, sign_in
from tests.integration.harness import Harness
from tests.unit.test_pesel import make_pesel

pytestmark = pytest.mark.e2e
USERNAME, PASSWORD = "recepcja-ola", "haslo-recepcji-123"
PESEL = make_pesel(date(1979, 4, 18), "2468")
TOPIC = "Podatek od nieruchomości"


def test_an_agent_records_a_visit_by_pesel_with_the_keyboard_only(
    e2e_harness: Harness, chromium_factory: Callable[[], Any]
) -> None:
    from selenium.webdriver.common.keys import Keys

    h = e2e_harness
    base = f"http://127.0.0.1:{h.settings.web_port}"
    store = Store(h.settings.db_url)
    try:
        now = datetime.now(UTC)
        store.run_sync(lambda db: users.add(db, USERNAME, "Ola z recepcji", "agent", PASSWORD,
                                            now=now))  # fmt: skip
    finally:
        store.engine.dispose()
    resident = h.api("POST", "/api/residents", {"name": "Jan Testowy", "numbers": ["600100299"]})
    h.api("PUT", f"/api/residents/{resident['id']}/pesel", {"pesel": PESEL})

    page = chromium_factory()
    sign_in(page, base, USERNAME, PASSWORD, "/konsola")
    page.get(f"{base}/recepcja")
    Harness.wait_for(lambda: bool(page.find_elements("css selector", "#visits li")), 15,
                     "the day's list", lambda: page_state(page))  # fmt: skip

    def focused() -> str:
        return str(page.execute_script(
            "const a = document.activeElement; return a.id || JSON.stringify(a.dataset)"
        ))  # fmt: skip

    def keys(*typed: str) -> None:
        page.switch_to.active_element.send_keys(*typed)

    assert focused() == "find-q"  # the page opens ready to type
    keys(PESEL[:6], " ", PESEL[6:], Keys.ENTER)
    found = f'#found button[data-resident="{resident["id"]}"]'
    Harness.wait_for(lambda: focused() == f'{{"resident":"{resident["id"]}"}}', 15,
                     "the resident found and focused", lambda: page_state(page))  # fmt: skip
    assert "PESEL ✓" in element(page, found).text
    assert element(page, "#find-q").get_attribute("value") == ""  # the number left the screen
    keys(Keys.ENTER)  # pick
    Harness.wait_for(lambda: focused() == "visit-topic", 5, "the matter's field",
                     lambda: page_state(page))  # fmt: skip
    assert element(page, "#chosen").text == "Jan Testowy"
    keys(TOPIC)
    keys(Keys.ENTER)  # save: settled on the spot (the default)
    Harness.wait_for(lambda: bool(data(page, "saved")), 15, "the visit saved",
                     lambda: page_state(page))  # fmt: skip
    visit_id = data(page, "saved")
    row = f'#visits li[data-visit="{visit_id}"]'
    Harness.wait_for(lambda: bool(page.find_elements("css selector", row)), 15,
                     "the visit in the day's list", lambda: page_state(page))  # fmt: skip
    line = element(page, row).text
    assert "Jan Testowy" in line and TOPIC in line and "zamknięte" in line, line
    assert focused() == "find-q"  # ready for the next visitor
    assert PESEL not in page.page_source and PESEL not in page.current_url
    assert PESEL[:6] not in page.page_source
    visits = h.api("GET", "/api/wizyty")
    mine = [v for v in visits if str(v["id"]) == visit_id]
    assert (
        mine and mine[0]["resident"]["id"] == resident["id"] and mine[0]["created_by"] == USERNAME
    )
    assert mine[0]["handled"] is True and PESEL not in str(visits)
