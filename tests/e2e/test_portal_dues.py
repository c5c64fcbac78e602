"""Dues in headless Chromium: the office loads a (made-up) file with ``cic naleznosci import``
into the shared controller's database, a payer types their payer number and PIN by keyboard,
sees their items and pays by the QR code, which decodes to the exact ZBP payload; a wrong PIN
gets a Polish error. axe-core finds nothing on the form, the error and the result, and each
reads at 360 px without sideways scrolling."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.axe import axe_violations
from tests.e2e.navigation import navigated
from tests.e2e.test_console import element
from tests.integration.harness import Harness

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "tests" / "fixtures" / "dues" / "przyklad.csv"
ACCOUNT_A = "42102055610000300200000101"


def load_sample(h: Harness) -> dict[str, Any]:
    """``cic naleznosci import`` with the harness's settings (its state directory)."""
    env = {**os.environ, **h.env, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-m", "cic.cli", "naleznosci", "import", str(SAMPLE)],
        env=env, cwd=REPO, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    report: dict[str, Any] = json.loads(done.stdout)
    return report


def keyboard_to(page: Any, element_id: str, limit: int = 40) -> None:
    """Press Tab until the element ``element_id`` has the focus (from the top of the page)."""
    from selenium.webdriver.common.keys import Keys

    for _ in range(limit):
        if page.switch_to.active_element.get_attribute("id") == element_id:
            return
        page.switch_to.active_element.send_keys(Keys.TAB)
    raise AssertionError(f"Tab never reached #{element_id}")


def ask(page: Any, base: str, payer: str, pin: str) -> None:
    """Open the form and send ``payer`` and ``pin`` by keyboard only."""
    from selenium.webdriver.common.keys import Keys

    page.get(f"{base}/e-urzad/naleznosci")
    page.find_element("css selector", "body").send_keys(Keys.TAB)  # the skip link first
    keyboard_to(page, "pole-platnik")
    page.switch_to.active_element.send_keys(payer, Keys.TAB)
    assert page.switch_to.active_element.get_attribute("id") == "pole-pin"
    page.switch_to.active_element.send_keys(pin)
    navigated(page, lambda: page.switch_to.active_element.send_keys(Keys.ENTER))
    assert "/e-urzad/naleznosci" in page.current_url


def narrow_ok(page: Any) -> None:
    """At 360 px the page needs no sideways scrolling."""
    page.set_window_size(360, 740)
    width = page.execute_script("return document.documentElement.scrollWidth")
    assert width <= 360, f"{page.current_url}: {width} px wide at 360"
    page.set_window_size(1200, 900)


def decode(png: bytes) -> list[str]:
    """The texts of the QR codes in a screenshot (zxing-cpp)."""
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    return [found.text for found in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


def test_a_payer_checks_dues_and_gets_the_payment_code(e2e_harness: Harness, chromium: Any) -> None:
    h = e2e_harness
    base = f"http://127.0.0.1:{h.settings.web_port}"
    report = load_sample(h)
    assert report["rejected"] == [] and report["added"] + report["unchanged"] == 4
    page = chromium
    page.set_window_size(1200, 900)

    page.get(f"{base}/e-urzad/naleznosci")
    assert page.find_element("css selector", "h1").text == "Sprawdź należności"
    assert axe_violations(page) == []
    narrow_ok(page)

    ask(page, base, "A-0001", "1234")  # the wrong PIN
    summary = element(page, ".error-summary").text
    assert "Nie znaleźliśmy należności dla tego numeru płatnika i PIN-u" in summary
    assert element(page, "#pole-platnik").get_attribute("aria-invalid") == "true"
    assert element(page, "#pole-platnik").get_attribute("value") == "A-0001"
    assert element(page, "#pole-pin").get_attribute("value") == ""
    assert "Podatek" not in page.page_source
    assert axe_violations(page) == []

    ask(page, base, "a-0001", "4711")
    assert element(page, "h1").text == "Twoje należności"
    table = element(page, "#pozycje").text
    assert "Podatek od nieruchomości 2026, rata II" in table and "Opłata za odpady" in table
    assert "Anna" not in page.page_source and "Testowska" not in page.page_source
    assert "(A. T.)" in element(page, "main").text
    sections = page.find_elements("css selector", "section.payment")
    assert [s.get_attribute("data-item") for s in sections] == ["PN-2026-0001-2", "OD-2026-0001-12"]
    rata = sections[0]
    assert "42 1020 5561 0000 3002 0000 0101" in rata.text and "250,00 zł" in rata.text
    assert "A-0001 podatek od nier. rata II" in rata.text
    assert axe_violations(page) == []

    name = h.settings.dues.payee_name or h.settings.office.name
    assert len(name) <= 20 and "|" not in name
    title = "A-0001 podatek od nier. rata II"
    expected = f"{h.settings.dues.payee_nip}|PL|{ACCOUNT_A}|025000|{name}|{title}|||"
    qr = rata.find_element("css selector", "img.qr")
    page.execute_script("arguments[0].scrollIntoView()", qr)
    assert decode(qr.screenshot_as_png) == [expected]
    narrow_ok(page)
