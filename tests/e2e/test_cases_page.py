"""The cases page in headless Chromium: a specialist registers a case from a contact report the
first line handed to her unit, sees the receipt (phone code and PIN, once) and the metryka."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import pytest

from cic.auth import users
from cic.db import Store
from tests.e2e.test_console import click, data, element, page_state, sign_in, wait_data
from tests.integration.harness import Harness

pytestmark = pytest.mark.e2e
USERNAME, PASSWORD = "spec-ewa", "haslo-specjalistki-123"
TOPIC = "Wycinka drzewa — <b>lipa</b> przy ul. Testowej"


def test_specialist_registers_a_case_from_a_handed_over_report(
    e2e_harness: Harness, chromium_factory: Callable[[], Any]
) -> None:
    h = e2e_harness
    base = f"http://127.0.0.1:{h.settings.web_port}"
    store = Store(h.settings.db_url)
    try:
        now = datetime.now(UTC)
        store.run_sync(lambda db: users.add(db, USERNAME, "Ewa Specjalistka", "specialist",
                                            PASSWORD, now=now))  # fmt: skip
    finally:
        store.engine.dispose()
    report = h.api("POST", "/api/zgloszenia",
                   {"topic": TOPIC, "note": "Notatka służbowa.", "department": "OŚ"})  # fmt: skip
    h.api("PATCH", f"/api/zgloszenia/{report['id']}", {"status": "przekazane"})

    page = chromium_factory()
    sign_in(page, base, USERNAME, PASSWORD, "/konsola")
    page.get(f"{base}/sprawy")
    row = f'#reports li[data-report="{report["id"]}"]'
    click(page, f"{row} button")
    assert element(page, "#register-unit").get_attribute("value") == "OŚ"
    element(page, "#register-jrwa").send_keys("6131")
    click(page, "#register-form button[type=submit]")
    Harness.wait_for(lambda: bool(data(page, "registered")), 15, "the case registered",
                     lambda: page_state(page))  # fmt: skip
    signature = data(page, "registered")
    assert signature.startswith("OŚ.6131.") and signature.endswith(f".{now.year}"), signature
    pin = element(page, "#receipt-pin").text
    assert len(pin) == 6 and pin.isdigit()
    wait_data(page, "caseShown", signature, 15, "the case with its metryka")
    assert TOPIC in element(page, "#case-title").text  # shown as text, not markup
    assert "<b>" in element(page, "#case-title").text
    assert element(page, "#metryka li").text, page_state(page)
    case = h.api("GET", f"/api/sprawy/{quote(signature)}")
    assert case["reports"] == [report["id"]] and case["jrwa"] == "6131"
    # Another look at the page never shows the PIN again.
    page.get(f"{base}/sprawy")
    assert pin not in page.page_source

    # A link from the call register or the dashboard opens the case, or the report, by address.
    page.get(f"{base}/sprawy?znak={quote(signature)}")
    wait_data(page, "caseShown", signature, 15, "the case named in the address")
    page.get(f"{base}/sprawy?zgloszenie={report['id']}")
    wait_data(page, "reportShown", str(report["id"]), 15, "the report named in the address")
    assert element(page, "#report-topic").text == TOPIC  # text, not markup
    assert element(page, "#report-case").text == signature
    assert element(page, "#report-channel").text == "telefon"
    assert element(page, "#report-note").text == "Notatka służbowa."
