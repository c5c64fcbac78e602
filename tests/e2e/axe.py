"""axe-core (npm, ``web/node_modules/axe-core``) run in the page Chromium has open.

``axe_violations(driver)`` injects axe through WebDriver (not through the page, whose CSP
allows no inline script), runs the WCAG 2.0/2.1 A and AA rules and returns the violations as
short lines ("rule: target, target"); an empty list means none.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

AXE = Path(__file__).resolve().parents[2] / "web" / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@cache
def _source() -> str:
    return AXE.read_text(encoding="utf-8")


def axe_violations(driver: Any) -> list[str]:
    """The WCAG 2.1 A/AA violations axe finds in the current page."""
    driver.execute_script(_source())
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}})"
        ".then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact,"
        " nodes: v.nodes.map(n => n.target.join(' '))}))))"
        ".catch(e => done([{id: 'axe-error', impact: 'critical', nodes: [String(e)]}]));",
        TAGS,
    )
    return [f"{v['id']} ({v['impact']}): {', '.join(v['nodes'][:5])}" for v in result]
