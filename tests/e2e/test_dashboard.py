"""The dashboard in headless Chromium: a member of the management signs in, lands on
/wskazniki, picks March 2025 with the period form, reads a figure's number, opens its records,
downloads the CSV and XLSX and reads them, opens the council report; the charts are drawn
under the real CSP, and the page passes axe-core at 1280 and 360 px."""

from __future__ import annotations

import csv
import io
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy.orm import Session

from cic.auth import users
from cic.calls.models import Call
from cic.cases.models import ContactReport
from cic.db import Store
from tests.e2e.axe import axe_violations
from tests.e2e.navigation import navigated
from tests.e2e.test_console import element, page_state, sign_in
from tests.integration.harness import Harness

pytestmark = pytest.mark.e2e
USERNAME, PASSWORD = "e2e-wojt", "haslo-wojta-12345"
SUPERVISOR, SUPERVISOR_PASSWORD = "e2e-kierownik-wsk", "haslo-kierownika-12345"
MONTH = "2025-03"  # a month no other browser test writes to
# Reports of March 2025 (3, one on 31 March 23:30 Warsaw time) and of February (1); two
# answered first-line calls in March.
REPORTS = [
    ("www", "odpady", datetime(2025, 3, 3, 9, 0, tzinfo=UTC)),
    ("telefon", "drogi", datetime(2025, 3, 14, 11, 0, tzinfo=UTC)),
    ("email", "podatki", datetime(2025, 3, 31, 21, 30, tzinfo=UTC)),
    ("osobiscie", "odpady", datetime(2025, 2, 20, 10, 0, tzinfo=UTC)),
]
ALL_REPORTS = "Zgłoszenia (wszystkie kanały)"


def _seed(h: Harness) -> None:
    def write(session: Session) -> None:
        if users.find(session, USERNAME) is not None:  # seeded by the other test already
            return
        users.add(session, USERNAME, "Wójt Testowy", "management", PASSWORD,
                  now=datetime.now(UTC))  # fmt: skip
        users.add(session, SUPERVISOR, "Kierownik Testowy", "supervisor", SUPERVISOR_PASSWORD,
                  now=datetime.now(UTC))  # fmt: skip
        for channel, topic, at in REPORTS:
            session.add(ContactReport(topic=topic, channel=channel, created_by="e2e",
                                      created_at=at, updated_at=at))  # fmt: skip
        for n in range(2):
            at = datetime(2025, 3, 10 + n, 8, 0, tzinfo=UTC)
            session.add(Call(call_id=f"1741600000.{n}", caller_number="48500100300",
                             entered_at=at, queued_at=at, answered_at=at, outcome="answered",
                             queue="pierwsza-linia", wait_seconds=0.0,
                             talk_seconds=60.0))  # fmt: skip

    store = Store(h.settings.db_url)
    try:
        store.run_sync(write)
    finally:
        store.engine.dispose()


def _downloaded(folder: Path, suffix: str, timeout: float = 20) -> Path:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = [p for p in folder.iterdir() if p.suffix == suffix]
        if done:
            return done[0]
        time.sleep(0.2)
    raise AssertionError(f"no {suffix} file downloaded: {sorted(p.name for p in folder.iterdir())}")


def _part_value(page: Any, figure: str, label: str) -> str:
    rows = page.find_elements("css selector", f'[id="wskaznik-{figure}"] table.parts tbody tr')
    for row in rows:
        if row.find_element("css selector", "th").text == label:
            return str(row.find_elements("css selector", "td")[0].text)
    raise AssertionError(f"no part {label} in {figure}")


def test_management_reads_the_dashboard_drills_down_and_downloads(
    e2e_harness: Harness, chromium: Any
) -> None:
    h = e2e_harness
    base = f"http://127.0.0.1:{h.settings.web_port}"
    _seed(h)
    page = chromium
    page.set_window_size(1280, 900)
    sign_in(page, base, USERNAME, PASSWORD, "/wskazniki")

    # The period form: March 2025 instead of this month.
    page.execute_script(f"document.querySelector('input[name=miesiac]').value = '{MONTH}'")
    button = element(page, "form[aria-label='Okres: miesiąc'] button[type=submit]")
    navigated(page, button.click)
    assert page.current_url == f"{base}/wskazniki?miesiac={MONTH}"
    assert element(page, "h1").text == "Wskaźniki: marzec 2025"
    assert _part_value(page, "strategy.complaints", ALL_REPORTS) == "3"
    # Monday 10 and Tuesday 11 March, 9:00 Warsaw time: one call each in the heat map.
    heat = page.find_elements("css selector", "table.heatmap tbody tr")
    assert [row.find_elements("css selector", "td")[9].text for row in heat[:3]] == ["1", "1", "0"]
    assert element(page, "table.staffing tbody th").text == "09:00–10:00"
    Harness.wait_for(
        lambda: bool(page.find_elements("css selector", ".chart canvas")), 10,
        "a chart drawn by uPlot", lambda: page_state(page),
    )  # fmt: skip
    assert axe_violations(page) == []
    page.set_window_size(360, 800)
    assert axe_violations(page) == []
    page.set_window_size(1280, 900)

    # The records behind a figure are residents' data: not for the management.
    assert page.find_elements("link text", ALL_REPORTS) == []
    assert "widzą kierownik zmiany i administrator" in element(page, "p.notice").text
    page.get(f"{base}/wskazniki/strategy.complaints?miesiac={MONTH}&czesc=zgloszenia")
    assert "widzą tylko kierownik zmiany i administrator" in element(page, "main").text

    with tempfile.TemporaryDirectory(prefix="cic-pobrane-") as folder:
        where = Path(folder)
        page.execute_cdp_cmd("Page.setDownloadBehavior",
                             {"behavior": "allow", "downloadPath": folder})  # fmt: skip
        page.get(f"{base}/wskazniki?miesiac={MONTH}")
        page.find_element("link text", "Pobierz CSV").click()
        saved = _downloaded(where, ".csv")
        assert saved.name == f"wskazniki_{MONTH}.csv"
        table = list(csv.DictReader(io.StringIO(saved.read_text("utf-8-sig")), delimiter=";"))
        got = [
            r for r in table if r["Klucz"] == "strategy.complaints" and r["Część"] == ALL_REPORTS
        ]
        assert [(r["Wartość"], r["Okres poprzedni"]) for r in got] == [("3", "1")]
        page.find_element("link text", "Pobierz XLSX").click()
        book = openpyxl.load_workbook(_downloaded(where, ".xlsx"))
        assert book.sheetnames[-1] == "Serie dzienne"
        parts = [r for s in book.worksheets for r in s.iter_rows(values_only=True)
                 if len(r) > 3 and r[1] == ALL_REPORTS]  # fmt: skip
        assert [r[2:4] for r in parts] == [(3, 1)]

    page.get(f"{base}/wskazniki/raport?miesiac={MONTH}")
    assert element(page, "h1").text == "Raport miesięczny dla rady gminy: marzec 2025"
    assert "względem lutego" in element(page, ".council-report").text
    assert axe_violations(page) == []


def test_supervisor_opens_the_records_behind_a_figure(e2e_harness: Harness, chromium: Any) -> None:
    h = e2e_harness
    base = f"http://127.0.0.1:{h.settings.web_port}"
    _seed(h)
    page = chromium
    page.set_window_size(1280, 900)
    sign_in(page, base, SUPERVISOR, SUPERVISOR_PASSWORD, "/wskazniki",
            next_path=f"/wskazniki?miesiac={MONTH}")  # fmt: skip
    assert page.find_elements("css selector", "p.notice") == []
    link = page.find_element("link text", ALL_REPORTS)
    navigated(page, link.click)
    assert element(page, ".drill-total").text == "3"
    rows = page.find_elements("css selector", "table.drill-rows tbody tr")
    assert len(rows) == 3
    # A supervisor may open each report: every row links to it.
    assert len(page.find_elements("css selector", "table.drill-rows tbody a")) == 3
    assert axe_violations(page) == []
