"""The portal's e-services and case status in headless Chromium, by the keyboard only: a
resident finds a service by search, opens its card and downloads its form; then checks a
case's status with a wrong and with the right PIN. axe-core finds nothing on any page, and each
page fits a 360-px screen."""

from __future__ import annotations

import re
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.axe import axe_violations
from tests.e2e.test_console import element, page_state
from tests.integration.harness import Harness

pytestmark = pytest.mark.e2e
KB = Path(__file__).resolve().parents[2] / "kb"
SERVICE = "wycinka-drzew"
FORM = "zgloszenie-usuniecia-drzew.odt"


def _keys(driver: Any, *keys: str) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    ActionChains(driver).send_keys(*keys).perform()


def tab_to(driver: Any, css: str, limit: int = 80) -> None:
    """Press Tab until the focused element matches ``css``."""
    from selenium.webdriver.common.keys import Keys

    for _ in range(limit):
        _keys(driver, Keys.TAB)
        if driver.execute_script("return document.activeElement.matches(arguments[0])", css):
            return
    raise AssertionError(f"Tab never reached {css}: {page_state(driver)}")


def check_page(driver: Any) -> None:
    """No axe violation, and no horizontal scrolling at 360 px."""
    assert axe_violations(driver) == [], driver.current_url
    size = driver.get_window_size()
    driver.set_window_size(360, 740)
    try:
        width = driver.execute_script("return document.documentElement.scrollWidth")
        assert width <= 360, (driver.current_url, width)
        assert axe_violations(driver) == [], driver.current_url
    finally:
        driver.set_window_size(size["width"], size["height"])


def _search_ready(base: str) -> bool:
    with urllib.request.urlopen(f"{base}/e-urzad/uslugi/szukaj?q=wycinka", timeout=10) as answer:
        return f"/e-urzad/uslugi/{SERVICE}" in answer.read().decode()


def test_a_resident_finds_a_service_and_downloads_its_form_by_keyboard(
    e2e_harness: Harness, chromium: Any, tmp_path: Path
) -> None:
    from selenium.webdriver.common.keys import Keys

    base = f"http://127.0.0.1:{e2e_harness.settings.web_port}"
    Harness.wait_for(lambda: _search_ready(base), 60, "the knowledge base indexed")
    page = chromium
    page.set_window_size(1024, 800)
    page.execute_cdp_cmd("Page.setDownloadBehavior",
                         {"behavior": "allow", "downloadPath": str(tmp_path)})  # fmt: skip
    page.get(f"{base}/e-urzad/uslugi")
    check_page(page)
    tab_to(page, "#q")
    _keys(page, "wycinki drzewa", Keys.ENTER)
    Harness.wait_for(lambda: "/e-urzad/uslugi/szukaj?q=" in page.current_url, 10, "results")
    assert element(page, "#q").get_attribute("value") == "wycinki drzewa"
    check_page(page)
    tab_to(page, f'ol.services a[href="/e-urzad/uslugi/{SERVICE}"]')
    _keys(page, Keys.ENTER)
    Harness.wait_for(lambda: page.current_url.endswith(f"/e-urzad/uslugi/{SERVICE}"), 10, "card")
    assert "Wycinka drzew" in element(page, "h1").text
    text = element(page, "main").text
    assert "Ustawa z dnia 16 kwietnia 2004 r. o ochronie przyrody" in text
    assert "Elektronicznie przez ePUAP" in text
    check_page(page)
    tab_to(page, f'a[href="/e-urzad/uslugi/formularze/{FORM}"]')
    _keys(page, Keys.ENTER)
    expected = (KB / "formularze" / FORM).read_bytes()
    arrived = tmp_path / FORM
    Harness.wait_for(
        lambda: arrived.exists() and arrived.read_bytes() == expected,
        20,
        "the form downloaded",
        lambda: sorted(p.name for p in tmp_path.iterdir()),
    )
    assert page.current_url.endswith(f"/e-urzad/uslugi/{SERVICE}")  # the card stays open


def test_a_resident_checks_a_case_with_a_wrong_and_the_right_pin(
    e2e_harness: Harness, chromium: Any
) -> None:
    from selenium.webdriver.common.keys import Keys

    base = f"http://127.0.0.1:{e2e_harness.settings.web_port}"
    body = {"unit": "FN", "jrwa": "3110", "title": "Podatek od nieruchomości — Jan Testowy",
            "parties": [{"name": "Jan Testowy", "role": "strona"}]}  # fmt: skip
    case = e2e_harness.api("POST", "/api/sprawy", body)
    signature, pin = case["signature"], case["pin"]
    wrong = f"{(int(pin) + 1) % 1_000_000:06d}"
    page = chromium
    page.set_window_size(1024, 800)
    page.get(f"{base}/e-urzad/sprawa")
    check_page(page)

    def submit(typed_pin: str, with_signature: bool) -> None:
        tab_to(page, "#pole-znak")
        if with_signature:
            _keys(page, signature)
        tab_to(page, "#pole-pin", limit=3)
        _keys(page, typed_pin, Keys.ENTER)

    submit(wrong, with_signature=True)
    Harness.wait_for(lambda: bool(page.find_elements("css selector", ".error-summary")), 10,
                     "the error summary", lambda: page_state(page))  # fmt: skip
    summary = element(page, ".error-summary").text
    assert "Nie znaleźliśmy sprawy o tym znaku z tym PIN-em" in summary
    assert element(page, "#pole-znak").get_attribute("value") == signature  # kept
    assert element(page, "#pole-pin").get_attribute("value") == ""  # never written back
    assert "wszczęta" not in element(page, "main").text
    assert pin not in page.current_url and signature not in page.current_url
    check_page(page)

    submit(pin, with_signature=False)
    Harness.wait_for(lambda: bool(page.find_elements("css selector", "#stan")), 10,
                     "the case's status", lambda: page_state(page))  # fmt: skip
    assert element(page, "#stan").text == "wszczęta"
    assert element(page, "#prowadzi").text  # the department (the office's name or its code)
    assert re.fullmatch(r"\d{1,2} [a-ząćęłńóśźż]+ \d{4}", element(page, "#termin").text)
    assert element(page, "#co-dalej").text
    main = element(page, "main").text
    assert signature in main and "Jan Testowy" not in main and "Podatek" not in main
    assert page.current_url == f"{base}/e-urzad/sprawa"
    check_page(page)
