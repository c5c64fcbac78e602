"""Every staff page in headless Chromium, signed in as the role that uses it, at 1280 px and at
360 px: no axe-core violations (WCAG 2.1 A and AA), nothing refused by the Content-Security-
Policy, no horizontal page scroll on a phone (wide tables scroll inside their ``.table-wrap``),
and the one staff stylesheet, ``/static/css/cic.css``, linked and loaded.

``STAFF_PAGES`` is the one list of staff pages. The test first checks it against the
controller's own OpenAPI document: every GET route answering an HTML page outside the
residents' portal (/e-urzad) must match an entry, so a new page fails here until it is listed.

To add a page: append ``(path, role)`` to ``STAFF_PAGES``, the role being one that may open it
(``""`` for a page open to everyone, like the sign-in form). A path with an object in it uses a
``{placeholder}`` filled by ``_seed`` (add the object there, made through the API or the
database, with made-up data). Pages that need no data at all (say ``/wskazniki`` for the
supervisor or ``/polaczenia``) are one line each.

To look at the design, ``STAFF_PAGES_SCREENSHOTS=/some/folder`` saves every page at both
widths there as PNG (not ``CIC_...``: the controller takes those for its settings).
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cic.auth import users
from cic.calls.models import Call
from cic.consultations.models import Consultation, ConsultationComment
from tests.e2e.axe import axe_violations
from tests.e2e.conftest import csp_violations
from tests.e2e.test_console import page_state, sign_in
from tests.integration.harness import Harness

pytestmark = pytest.mark.e2e

#: (path, role) of every staff page; ``{name}`` is an object made by ``_seed``.
STAFF_PAGES: tuple[tuple[str, str], ...] = (
    ("/logowanie", ""),
    ("/", "agent"),
    ("/konsola", "agent"),
    ("/baza-wiedzy", "agent"),
    ("/recepcja", "agent"),
    ("/bezpieczenstwo", "agent"),
    ("/bezpieczenstwo/zgloszenia/{incident}", "agent"),
    ("/bezpieczenstwo/subskrypcje", "agent"),
    ("/sprawy", "specialist"),
    ("/bezpieczenstwo/ratownicy", "specialist"),
    ("/nadzor", "supervisor"),
    ("/przeglad", "supervisor"),
    ("/polaczenia", "supervisor"),
    ("/polaczenia/{call}", "supervisor"),
    ("/bezpieczenstwo/kategorie", "supervisor"),
    ("/bezpieczenstwo/ostrzezenia", "supervisor"),
    ("/bezpieczenstwo/ostrzezenia/{warning}", "supervisor"),
    ("/wskazniki", "management"),
    ("/wskazniki/centre.abandonment", "supervisor"),
    ("/wskazniki/raport", "management"),
    ("/rodo", "iod"),
    ("/redakcja", "editor"),
    ("/redakcja/kategorie", "editor"),
    ("/redakcja/ogloszenia/nowe", "editor"),
    ("/redakcja/ogloszenia/{announcement}", "editor"),
    ("/redakcja/konsultacje", "editor"),
    ("/redakcja/konsultacje/{consultation}", "editor"),
    ("/admin", "admin"),
    ("/admin/agenci", "admin"),
    ("/admin/wydzialy", "admin"),
    ("/admin/kolejki", "admin"),
    ("/admin/urzad", "admin"),
    ("/api/docs", "admin"),
)
#: Pages that answer a refusal (the shared error page) to the role: (path, role, status).
REFUSALS: tuple[tuple[str, str, int], ...] = (("/admin", "agent", 403),)
ROLES = ("agent", "specialist", "supervisor", "management", "iod", "editor", "admin")
PASSWORD = "haslo-strony-personelu-1"
WIDTHS = (1280, 360)
STYLESHEET = "/static/css/cic.css"
#: A folder to save a screenshot of every page at every width in (to look at the design).
SHOTS = os.environ.get("STAFF_PAGES_SCREENSHOTS", "")
#: The innermost elements that stick out on the right, to name in a failure.
WIDEST = """
const edge = document.scrollingElement.clientWidth + 1;
const out = Array.from(document.body.querySelectorAll("*")).filter(
  (e) => e.getBoundingClientRect().right > edge && !e.closest(".table-wrap"));
return out.filter((e) => !out.some((o) => o !== e && e.contains(o))).slice(0, 5)
  .map((e) => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "")
    + (e.className && typeof e.className === "string" ? "." + e.className.split(" ")[0] : "")
    + " " + Math.round(e.getBoundingClientRect().right));
"""
#: Not pages: the browser's live connections, files and the residents' portal.
NOT_PAGES = re.compile(r"^/(e-urzad|ws|static)(/|$)|\.(csv|xml|json|xlsx|pdf)$")


def _seed(h: Harness) -> dict[str, str]:
    """One user per role (the agent's account tied to an agent) and one object for every
    page that shows one; the placeholders of ``STAFF_PAGES``."""
    h.api("POST", "/api/agents", {"username": "strony-agent", "display_name": "Anna Próbna"})
    now = datetime.now(UTC)

    def people(db: Any) -> None:
        for role in ROLES:
            link = {"agent_username": "strony-agent"} if role == "agent" else {}
            users.add(db, f"strony-{role}", f"Osoba {role}", role, PASSWORD, now=now, **link)

    h.in_db(people)
    incident = h.api("POST", "/api/zagrozenia", {
        "category": "wysypisko", "title": "Wysypisko przy lesie", "lat": 50.07, "lon": 19.94,
    })  # fmt: skip
    warning = h.api("POST", "/api/ostrzezenia", {
        "title": "Objazd w Dąbrówce", "text": "Droga zamknięta do piątku.",
        "severity": "informacja", "channels": ["portal"],
        "valid_until": (now + timedelta(days=1)).isoformat(),
    })  # fmt: skip
    h.api("POST", f"/api/ostrzezenia/{warning['id']}/czynnosc", {"action": "send"})
    news = h.api("POST", "/api/ogloszenia", {
        "title": "Sesja Rady Gminy", "summary": "Porządek obrad.", "body": "1. Otwarcie",
        "category": "rada-gminy",
    })  # fmt: skip
    h.api("POST", "/api/ratownicy", {"kind": "osp", "name": "OSP Dąbrówka", "lat": 50.06,
                                     "lon": 19.93, "phone": "600100200"})  # fmt: skip

    def consultation(db: Any) -> int:
        today = now.date()
        item = Consultation(slug="plan-strony-personelu", title="Plan sołectwa Dąbrówka",
                            summary="Co zmienić.", starts_on=today, created_by="strony-editor",
                            ends_on=today + timedelta(days=14))  # fmt: skip
        db.add(item)
        db.flush()
        db.add(ConsultationComment(consultation_id=item.id, number=1, text="Więcej ławek.",
                                   nonce="strony-personelu-1"))  # fmt: skip
        return int(item.id)

    h.in_db(lambda db: db.add(Call(call_id="strony-personelu-1", caller_number="48500100300",
                                   outcome="answered")))  # fmt: skip
    return {
        "call": "strony-personelu-1",
        "incident": str(incident["incident"]["id"]),
        "warning": str(warning["id"]),
        "announcement": str(news["id"]),
        "consultation": str(h.in_db(consultation)),
    }


def _html_routes(h: Harness) -> list[str]:
    """The GET routes whose answer is an HTML page, outside the residents' portal."""
    paths = h.api("GET", "/api/openapi.json")["paths"]
    return sorted(
        path
        for path, ops in paths.items()
        if "get" in ops and not NOT_PAGES.search(path)
        and "text/html" in ops["get"]["responses"].get("200", {}).get("content", {})
    )  # fmt: skip


def _status(driver: Any) -> int:
    return int(driver.execute_script(
        "return performance.getEntriesByType('navigation')[0].responseStatus"
    ))  # fmt: skip


def _problems(driver: Any, where: str) -> list[str]:
    """Everything wrong with the open page at the window's current width."""
    found = [f"{where}: {v}" for v in axe_violations(driver)]
    found += [f"{where}: CSP refused {v}" for v in csp_violations(driver)]
    wide = driver.execute_script(
        "const e = document.scrollingElement; return [e.scrollWidth, e.clientWidth];"
    )
    if wide[0] > wide[1] + 1:
        found.append(
            f"{where}: page scrolls sideways ({wide[0]} px in {wide[1]} px): "
            f"{driver.execute_script(WIDEST)}"
        )
    linked = driver.execute_script(
        "return Array.from(document.styleSheets, s => s.href ? new URL(s.href).pathname : '')"
    )
    if STYLESHEET not in linked:
        found.append(f"{where}: {STYLESHEET} not loaded (sheets: {linked})")
    return found


def _visit(driver: Any, base: str, path: str, status: int = 200) -> list[str]:
    """Open ``path`` and check it at every width; the problems found."""
    driver.set_window_size(WIDTHS[0], 900)
    driver.get(base + path)
    if _status(driver) != status or not driver.current_url.startswith(base + path.split("?")[0]):
        return [f"{path}: answered {_status(driver)} at {driver.current_url}, not {status}"]
    found = []
    for width in WIDTHS:
        driver.set_window_size(width, 900)
        found += _problems(driver, f"{path} at {width} px")
        if SHOTS:
            name = re.sub(r"\W+", "_", path).strip("_") or "start"
            driver.save_screenshot(os.path.join(SHOTS, f"{name}-{width}.png"))
    return found


def test_the_list_names_every_staff_page(e2e_harness: Harness) -> None:
    listed = [path for path, _ in STAFF_PAGES]
    routes = _html_routes(e2e_harness)
    assert "/konsola" in routes and "/admin/{section}" in routes, routes
    missing = [
        route for route in routes
        if not any(re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", route), p) for p in listed)
    ]  # fmt: skip
    assert missing == [], f"staff pages not in STAFF_PAGES: {missing}"


def test_every_staff_page_is_accessible_on_a_desk_and_a_phone(
    e2e_harness: Harness, chromium: Any
) -> None:
    h = e2e_harness
    base = f"http://127.0.0.1:{h.settings.web_port}"
    ids = _seed(h)
    problems: list[str] = []
    for path, role in STAFF_PAGES:
        if not role:
            problems += _visit(chromium, base, path.format(**ids))
    for role in ROLES:
        chromium.delete_all_cookies()
        sign_in(chromium, base, f"strony-{role}", PASSWORD, "/", "/")
        for path, wanted in STAFF_PAGES:
            if wanted == role:
                problems += _visit(chromium, base, path.format(**ids))
        for path, wanted, status in REFUSALS:
            if wanted == role:
                problems += _visit(chromium, base, path, status)
    assert problems == [], "\n".join(problems) + f"\n{page_state(chromium)}"
