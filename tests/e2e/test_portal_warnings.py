"""Warnings end to end in headless Chromium: an editor signs in and sends a portal-banner
warning through the staff's form; a supervisor's alarm comes through the API. A resident sees
both banners on every portal page (only the alarm interrupts a screen reader), reads the
warnings' pages and opens the subscription form; axe finds nothing on any of them, at 360 px
too. A subscription request by keyboard shows the code page."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from cic.auth import users
from tests.e2e.test_admin import sign_in
from tests.e2e.test_console import element, page_state
from tests.e2e.test_portal_news import _accessible, _db, _keys, _tab_to, _text
from tests.integration.harness import Harness

pytestmark = pytest.mark.e2e
EDITOR, PASSWORD = "red-ostrz-e2e", "haslo-redaktora-e2e-2"


@pytest.fixture(scope="module")
def warnings_controller(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    """A controller with the gmina's sołectwa."""
    state = tmp_path_factory.mktemp("cic-e2e-warnings-state")
    env = {"CIC_PORTAL__SOLECTWA": '["Dąbrowa", "Lipki", "Żabno"]',
           "CIC_CHANNELS__FORM_MIN_SECONDS": "0"}  # fmt: skip
    with Harness.running(state, **env) as h:
        yield h


def _banners(driver: Any) -> list[dict[str, str]]:
    return list(driver.execute_script(
        "return [...document.querySelectorAll('.warning-banner')].map(b => ({"
        "text: b.innerText, role: b.getAttribute('role') || '', kind: b.className}));"
    ))  # fmt: skip


def test_banner_pages_and_subscription_are_accessible(
    warnings_controller: Harness, chromium_factory: Callable[[], Any]
) -> None:
    h = warnings_controller
    base = f"http://127.0.0.1:{h.settings.web_port}"
    now = datetime.now(UTC)
    _db(h, lambda db: users.add(db, EDITOR, "Anna Redaktorka", "editor", PASSWORD, now=now))

    editor = chromium_factory()
    sign_in(editor, base, EDITOR, PASSWORD, "/redakcja")
    editor.get(f"{base}/bezpieczenstwo/ostrzezenia")
    element(editor, "#f-title").send_keys("Zamknięta droga do Lipek")
    element(editor, "#f-text").send_keys("Objazd przez Dąbrowę do odwołania.")
    element(editor, "#f-severity option[value=informacja]").click()
    zone = ZoneInfo(h.settings.office.timezone)
    until = (now + timedelta(days=1)).astimezone(zone).strftime("%Y-%m-%dT%H:%M")
    editor.execute_script("document.getElementById('f-until').value = arguments[0]", until)
    element(editor, "button[value=wyslij]").click()
    Harness.wait_for(lambda: "Wysłano." in editor.page_source, 15, "the warning sent",
                     lambda: page_state(editor))  # fmt: skip
    assert "wysłane" in _text_of(editor)

    alarm = h.api("POST", "/api/ostrzezenia", {
        "title": "Alarm powodziowy", "text": "Wysoka woda na Wiśle: przenieś rzeczy wyżej.",
        "severity": "alarm", "channels": ["portal", "sms"], "solectwa": ["Żabno"],
        "valid_until": (now + timedelta(hours=12)).isoformat(),
    })  # fmt: skip
    h.api("POST", f"/api/ostrzezenia/{alarm['id']}/czynnosc", {"action": "send"})
    h.wait_for(lambda: len(h.api("GET", "/api/ostrzezenia")) == 2, 5, "two warnings")

    resident = chromium_factory()
    resident.set_window_size(1280, 900)
    for path in ("/e-urzad/", "/e-urzad/ostrzezenia", f"/e-urzad/ostrzezenia/{alarm['id']}",
                 "/e-urzad/ostrzezenia/subskrypcja", "/e-urzad/ogloszenia"):  # fmt: skip
        resident.get(f"{base}{path}")
        shown = _banners(resident)
        assert [b["role"] for b in shown] == ["alert", ""], (path, shown)
        assert "Alarm powodziowy" in shown[0]["text"] and "Dotyczy: Żabno" in shown[0]["text"]
        assert "Zamknięta droga do Lipek" in shown[1]["text"]
        _accessible(resident, path)

    from selenium.webdriver.common.keys import Keys

    resident.get(f"{base}/e-urzad/ostrzezenia/subskrypcja")
    _tab_to(resident, "a.id === 'pole-adres'", "the number field")
    _keys(resident, "500 100 271")
    _tab_to(resident, "a.id === 'pole-zgoda'", "the consent")
    _keys(resident, Keys.SPACE)
    _tab_to(resident, "a.type === 'submit'", "the button")
    _keys(resident, Keys.ENTER)
    Harness.wait_for(lambda: "Wpisz kod potwierdzenia" in _text(resident), 10, "the code page",
                     lambda: page_state(resident))  # fmt: skip
    _accessible(resident, "the code page")


def _text_of(driver: Any) -> str:
    return str(driver.execute_script("return document.body.innerText"))
