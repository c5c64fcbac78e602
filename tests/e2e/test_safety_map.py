"""The safety map in headless Chromium: incidents created through the API are drawn as
Leaflet markers (counted) beside the list, with the tiles unreachable (no network here); the
portal's report page passes axe-core."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from cic.auth import users
from cic.db import Store
from tests.e2e.axe import axe_violations
from tests.e2e.test_console import element, page_state, sign_in
from tests.integration.harness import Harness

pytestmark = pytest.mark.e2e
USERNAME, PASSWORD = "e2e-mapa", "haslo-mapy-12345"


def test_map_shows_the_markers_and_the_portal_form_passes_axe(
    e2e_harness: Harness, chromium: Any
) -> None:
    h = e2e_harness
    base = f"http://127.0.0.1:{h.settings.web_port}"
    store = Store(h.settings.db_url)
    try:
        store.run_sync(lambda s: users.add(s, USERNAME, "Mapa Testowa", "agent", PASSWORD,
                                           now=datetime.now(UTC)))  # fmt: skip
    finally:
        store.engine.dispose()
    before = len(h.api("GET", "/api/zagrozenia?stan=otwarte"))
    for n, (lat, lon) in enumerate([(50.06, 19.93), (50.07, 19.95), (50.09, 19.99)]):
        h.api("POST", "/api/zagrozenia", {"category": "wysypisko", "title": f"Wysypisko {n}",
                                          "lat": lat, "lon": lon})  # fmt: skip
    page = chromium
    sign_in(page, base, USERNAME, PASSWORD, "/bezpieczenstwo", "/bezpieczenstwo")
    markers = "#safety-map .leaflet-marker-icon"
    Harness.wait_for(
        lambda: len(page.find_elements("css selector", markers)) == before + 3, 20,
        "the markers on the map", lambda: page_state(page),
    )  # fmt: skip
    assert len(page.find_elements("css selector", "#safety-items li")) == before + 3
    # A script's click: the markers of a zoomed-out map may overlap one another.
    page.execute_script("arguments[0].click()", page.find_elements("css selector", markers)[0])
    Harness.wait_for(lambda: bool(page.find_elements("css selector", ".leaflet-popup a")), 10,
                     "the popup's link")  # fmt: skip
    href = page.find_element("css selector", ".leaflet-popup a").get_attribute("href")
    assert "/bezpieczenstwo/zgloszenia/" in href

    # The console's button opens the form with the call's details; the agent adds the rest.
    page.get(f"{base}/bezpieczenstwo?rozmowa=1733500000.55&telefon=500100205&nazwa=Jan+Testowy")
    assert element(page, "#i-phone").get_attribute("value") == "500100205"
    assert element(page, "#i-name").get_attribute("value") == "Jan Testowy"
    element(page, "#i-title").send_keys("Psy przy przystanku")
    element(page, "#i-address").send_keys("przystanek przy kościele")
    element(page, "#i-lat").send_keys("50.08")
    element(page, "#i-lon").send_keys("19.97")
    page.execute_script("document.getElementById('incident-form').requestSubmit()")
    Harness.wait_for(lambda: "Zapisano zgłoszenie" in element(page, "#incident-result").text,
                     15, "the saved report", lambda: page_state(page))  # fmt: skip
    [made] = [i for i in h.api("GET", "/api/zagrozenia") if i["title"] == "Psy przy przystanku"]
    assert made["source"] == "telefon" and made["reporter_phone"] == "500100205"
    assert [x["ref"] for x in h.api("GET", f"/api/zagrozenia/{made['id']}")["links"]] == [
        "1733500000.55"
    ]

    page.get(f"{base}/e-urzad/zgloszenie-zagrozenia")
    assert page.find_element("css selector", "h1").text == "Zgłoś zagrożenie"
    assert axe_violations(page) == []
    assert page.execute_script("return document.scripts.length") == 0
    page.get(f"{base}/e-urzad/zgloszenie-zagrozenia/mapa")
    element(page, "#portal-pick .leaflet-container, #portal-pick.leaflet-container")
    assert axe_violations(page) == []
    # A click on the map fills the coordinates (the tiles are unreachable: the map still is).
    page.find_element("css selector", "#portal-pick").click()
    Harness.wait_for(
        lambda: element(page, "#pole-lat").get_attribute("value") != "", 10, "coordinates"
    )
    assert element(page, "#pole-lon").get_attribute("value") != ""
