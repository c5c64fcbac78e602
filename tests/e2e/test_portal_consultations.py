"""Public consultations in headless Chromium against the real controller: an editor creates a
consultation and uploads its document through the editors' page; a resident opens it and
comments with the keyboard alone and sees the thank-you page with the comment's number; the
consultation closes (its dates moved into the past in the database); the editor publishes the
report; the resident reads it with the comment in it and downloads the CSV. axe-core finds no
WCAG 2.1 A/AA violation on any public page of the section, and every one fits 360 px."""

from __future__ import annotations

import csv
import io
import time
import urllib.request
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from cic.auth import users
from cic.consultations.models import Consultation
from cic.consultations.periods import local_day
from cic.db import Store, utcnow
from tests.e2e.axe import axe_violations
from tests.e2e.test_console import element, page_state, sign_in
from tests.integration.harness import Harness

pytestmark = pytest.mark.e2e
EDITOR, PASSWORD = "redaktor-konsultacje", "haslo-redaktora-123"
TITLE = "Plan odnowy wsi Dąbrowa 2027"
SLUG = "plan-odnowy-wsi-dabrowa-2027"
COMMENT = 'Proszę o ławki przy placu zabaw i "ciche" godziny; 3 > 2 & <b>nie pogrubiaj</b>.'
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


def _check_page(driver: Any, what: str) -> None:
    """No axe violations, and no horizontal scroll at 360 px; back to a desktop width."""
    assert axe_violations(driver) == [], what
    driver.set_window_size(360, 740)
    try:
        width = driver.execute_script("return document.documentElement.scrollWidth")
        assert width <= 360, f"{what}: {width} px wide at 360 px"
        assert axe_violations(driver) == [], f"{what} at 360 px"
    finally:
        driver.set_window_size(1280, 900)


def _focused(driver: Any) -> str:
    return str(driver.execute_script(
        "const a = document.activeElement; return a.id || a.tagName + ':' + (a.type || '')"
    ))  # fmt: skip


def _tab_to(driver: Any, wanted: str, limit: int = 60) -> None:
    """Press Tab until the element with id ``wanted`` has the focus."""
    from selenium.webdriver.common.keys import Keys

    for _ in range(limit):
        if _focused(driver) == wanted:
            return
        driver.switch_to.active_element.send_keys(Keys.TAB)
    raise AssertionError(f"#{wanted} never focused by Tab; at {_focused(driver)}")


def test_a_resident_comments_and_reads_the_report(
    e2e_harness: Harness, chromium_factory: Callable[[], Any], tmp_path: Path
) -> None:
    from selenium.webdriver.common.keys import Keys

    h = e2e_harness
    base = f"http://127.0.0.1:{h.settings.web_port}"
    store = Store(h.settings.db_url)
    try:
        store.run_sync(lambda db: users.add(db, EDITOR, "Ewa Redaktorka", "editor", PASSWORD,
                                            now=utcnow()))  # fmt: skip
        today = local_day(utcnow(), h.settings.office.timezone)

        # the editor: a new consultation through the page (its CSRF field), then a document
        editor = chromium_factory()
        sign_in(editor, base, EDITOR, PASSWORD, "/redakcja/konsultacje", "/redakcja/konsultacje")
        form = "#nowa-konsultacja"
        element(editor, f"{form} [name=title]").send_keys(TITLE)
        element(editor, f"{form} [name=summary]").send_keys("Co zmienić we wsi w 2027 roku.")
        element(editor, f"{form} [name=description]").send_keys("## Cel\n\nNowy **plac**.")
        editor.execute_script(
            "document.querySelector(arguments[0]).value = arguments[1];"
            "document.querySelector(arguments[2]).value = arguments[3];",
            f"{form} [name=starts_on]", today.isoformat(),
            f"{form} [name=ends_on]", (today + timedelta(days=14)).isoformat(),
        )  # fmt: skip
        element(editor, f"{form} button[type=submit]").click()
        Harness.wait_for(lambda: "zrobione=zapisano" in editor.current_url, 15,
                         "the consultation saved", lambda: page_state(editor))  # fmt: skip
        editor_page = editor.current_url.split("?")[0]
        pdf = tmp_path / "Projekt planu.pdf"
        pdf.write_bytes(PDF)
        element(editor, "#dokument [name=title]").send_keys("Projekt planu odnowy")
        element(editor, "#dokument [name=plik]").send_keys(str(pdf))
        element(editor, "#dokument button[type=submit]").click()
        Harness.wait_for(lambda: "zrobione=dokument" in editor.current_url, 15,
                         "the document uploaded", lambda: page_state(editor))  # fmt: skip
        assert "Projekt-planu.pdf" in element(editor, "main").text

        # the resident: the list, the consultation, a comment by the keyboard alone
        resident = chromium_factory()
        resident.set_window_size(1280, 900)
        resident.get(f"{base}/e-urzad/konsultacje")
        assert "Trwające konsultacje" in element(resident, "main").text
        _check_page(resident, "the list")
        resident.find_element("link text", TITLE).send_keys(Keys.ENTER)
        Harness.wait_for(lambda: resident.current_url.endswith(f"/konsultacje/{SLUG}"), 10,
                         "the consultation's page")  # fmt: skip
        opened = time.monotonic()
        assert element(resident, "h1").text == TITLE
        assert "Projekt planu odnowy" in element(resident, "#dokumenty + ul").text
        _check_page(resident, "the consultation")

        _tab_to(resident, "pole-text")
        resident.switch_to.active_element.send_keys(COMMENT)
        _tab_to(resident, "pole-section")
        resident.switch_to.active_element.send_keys("§ 2")
        _tab_to(resident, "pole-name")
        resident.switch_to.active_element.send_keys("Jan Przykładowy")
        _tab_to(resident, "pole-consent")
        resident.switch_to.active_element.send_keys(Keys.SPACE)
        assert element(resident, "#pole-consent").is_selected()
        _tab_to(resident, "BUTTON:submit")
        time.sleep(
            max(0.0, h.settings.channels.form_min_seconds + 0.5 - (time.monotonic() - opened))
        )
        resident.switch_to.active_element.send_keys(Keys.ENTER)
        Harness.wait_for(lambda: "/dziekujemy" in resident.current_url, 15, "the thanks",
                         lambda: page_state(resident))  # fmt: skip
        assert element(resident, "#numer-uwagi").text == "1"
        assert "Dziękujemy za uwagę" in element(resident, "h1").text
        _check_page(resident, "the thanks")

        # a form sent empty: the error summary, its link to the field, and still no violation
        resident.get(f"{base}/e-urzad/konsultacje/{SLUG}")
        time.sleep(h.settings.channels.form_min_seconds + 0.5)
        element(resident, "#pole-text").send_keys(Keys.CONTROL, "a")
        _tab_to(resident, "BUTTON:submit")
        resident.switch_to.active_element.send_keys(Keys.ENTER)
        Harness.wait_for(lambda: bool(resident.find_elements("css selector", ".error-summary")),
                         10, "the error summary", lambda: page_state(resident))  # fmt: skip
        assert "Wpisz treść uwagi." in element(resident, ".error-summary").text
        assert element(resident, "#pole-text").get_attribute("aria-invalid") == "true"
        _check_page(resident, "the form with an error")

        # the consultation closes: its dates in the past
        def close(db: Any) -> None:
            db.execute(update(Consultation).where(Consultation.slug == SLUG).values(
                starts_on=today - timedelta(days=20), ends_on=today - timedelta(days=1),
            ))  # fmt: skip

        store.run_sync(close)
        resident.get(f"{base}/e-urzad/konsultacje/{SLUG}")
        assert "Konsultacja została zakończona" in element(resident, "main").text
        assert not resident.find_elements("css selector", "#pole-text")
        _check_page(resident, "the closed consultation")

        # the editor writes the office's response and publishes the report
        editor.get(editor_page)
        element(editor, "#zaznacz-1").click()
        element(editor, "#odpowiedzi [name=response]").send_keys("Ławki uwzględniono.")
        element(editor, "#odpowiedzi button[type=submit]").click()
        Harness.wait_for(lambda: "zrobione=odpowiedz" in editor.current_url, 15,
                         "the response saved", lambda: page_state(editor))  # fmt: skip
        element(editor, "#raport [name=intro]").send_keys("Wpłynęła jedna uwaga.")
        element(editor, "#raport button[type=submit]").click()
        Harness.wait_for(lambda: "zrobione=raport" in editor.current_url, 15,
                         "the report published", lambda: page_state(editor))  # fmt: skip

        # the resident reads the report with the comment, and downloads it as CSV
        resident.get(f"{base}/e-urzad/konsultacje/{SLUG}/raport")
        report = element(resident, "main").text
        assert COMMENT in report and "Ławki uwzględniono." in report
        assert "Jan Przykładowy" in report and "odrzucone: 0" in report
        assert "<b>" not in resident.find_element("id", "uwaga-1").get_attribute("innerHTML")
        _check_page(resident, "the report")
        link = element(resident, "a[href$='raport.csv']").get_attribute("href")
        with urllib.request.urlopen(link, timeout=10) as answer:
            assert "attachment" in answer.headers["Content-Disposition"]
            rows = list(csv.reader(io.StringIO(answer.read().decode("utf-8-sig")), delimiter=";"))
        assert rows[1][0] == "1" and rows[1][2] == "Jan Przykładowy" and rows[1][6] == COMMENT
        resident.get(f"{base}/e-urzad/konsultacje")
        assert "Zakończone konsultacje" in element(resident, "main").text
        _check_page(resident, "the list with a closed one")
    finally:
        store.engine.dispose()
