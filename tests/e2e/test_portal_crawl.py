"""Every page of the resident portal, found by following its links from the home page, in
headless Chromium at 360 px: no axe-core violations (WCAG 2.1 A and AA), no script, no cookie,
nothing from another site, no horizontal scrolling, within the page-weight budget of a slow
mobile link, and no link to a page that does not answer 200.

The crawl stays under /e-urzad, skips files (forms to download, feeds, CSV) and visits at
most ``LIMIT`` pages; each section's own tests drive its forms and results.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urldefrag, urlsplit

import pytest

from cic.web.headers import tile_origin
from tests.e2e.axe import axe_violations
from tests.integration.harness import Harness

pytestmark = pytest.mark.e2e

LIMIT = 80
#: The whole page as the browser fetched it (HTML, stylesheet, images), in bytes.
BUDGET = 150_000
#: The one opt-in page with a script: the threat report form with a map to click (its
#: script-free twin, /e-urzad/zgloszenie-zagrozenia, is linked first). It loads Leaflet from
#: this server and map tiles from ``safety.tiles_url``; every other check applies to it.
MAP_PAGE = "/e-urzad/zgloszenie-zagrozenia/mapa"
FILES = (".pdf", ".odt", ".docx", ".xlsx", ".csv", ".xml", ".rss", ".atom", ".png", ".svg")


def links(driver: Any, origin: str) -> list[str]:
    """The portal pages this page links to (same origin, under /e-urzad, no files)."""
    hrefs = driver.execute_script("return Array.from(document.links, a => a.href)")
    found = []
    for href in hrefs:
        url, _ = urldefrag(str(href))
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != origin or not parts.path.startswith("/e-urzad"):
            continue
        if parts.path.lower().endswith(FILES) or "/formularze/" in parts.path:
            continue
        found.append(url)
    return found


def weight_and_foreign(driver: Any, origin: str) -> tuple[int, list[str]]:
    """(bytes the page took, resources from other origins)."""
    entries = driver.execute_script(
        "const nav = performance.getEntriesByType('navigation')[0];"
        "const res = performance.getEntriesByType('resource');"
        "return [nav ? nav.transferSize || nav.encodedBodySize : 0,"
        " res.map(r => [r.name, r.transferSize || r.encodedBodySize])];"
    )
    total = int(entries[0]) + sum(int(size) for _, size in entries[1])
    foreign = [name for name, _ in entries[1] if not str(name).startswith(origin)]
    return total, foreign


def test_every_portal_page_is_accessible_light_and_script_free(
    e2e_harness: Harness, chromium: Any
) -> None:
    origin = f"http://127.0.0.1:{e2e_harness.settings.web_port}"
    chromium.set_window_size(360, 740)
    queue, seen, problems = [f"{origin}/e-urzad/"], set(), []
    while queue and len(seen) < LIMIT:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        chromium.get(url)
        title = chromium.title
        status = chromium.execute_script(
            "return performance.getEntriesByType('navigation')[0].responseStatus"
        )
        if status != 200:
            problems.append(f"{url}: answered {status} (a broken link)")
        for violation in axe_violations(chromium):
            problems.append(f"{url}: {violation}")
        scripts = chromium.execute_script("return document.scripts.length")
        overflow = chromium.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        weight, foreign = weight_and_foreign(chromium, origin)
        if urlsplit(url).path == MAP_PAGE:
            tiles = tile_origin(e2e_harness.settings.safety.tiles_url)
            foreign = [f for f in foreign if not f.startswith(tiles)]
            scripts = weight = 0  # Leaflet (about 150 kB) is what the opt-in page is for
        if scripts:
            problems.append(f"{url}: {scripts} script(s)")
        if overflow > 0:
            problems.append(f"{url}: {overflow} px wider than a 360-px screen")
        if weight > BUDGET:
            problems.append(f"{url}: {weight} bytes (budget {BUDGET})")
        if foreign:
            problems.append(f"{url}: from other sites: {foreign}")
        if chromium.get_cookies():
            problems.append(f"{url}: sets a cookie")
        if not title or chromium.execute_script("return document.documentElement.lang") != "pl":
            problems.append(f"{url}: no title or not lang=pl")
        queue.extend(u for u in links(chromium, origin) if u not in seen)
    assert not problems, "\n".join(problems)
    # The shared pages at least; each section adds its own as it is built.
    paths = {urlsplit(u).path for u in seen}
    assert {"/e-urzad/", "/e-urzad/kontakt", "/e-urzad/dostepnosc"} <= paths, sorted(paths)
