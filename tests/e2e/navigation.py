"""Waiting for the page a form's submission loads (no JavaScript on the portal: every answer
is a new page, often at the same address, so neither the URL nor ``readyState`` tells the new
page from the old one; the old page's root element going stale does)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.integration.harness import Harness


def navigated(driver: Any, act: Callable[[], None], timeout: float = 15) -> None:
    """Do ``act`` (press Enter, click a button) and wait until the next page has loaded."""
    from selenium.common.exceptions import StaleElementReferenceException

    old = driver.find_element("tag name", "html")
    act()

    def gone() -> bool:
        try:
            old.get_attribute("lang")
        except StaleElementReferenceException:
            return True
        return False

    Harness.wait_for(gone, timeout, "the next page")
    Harness.wait_for(
        lambda: driver.execute_script("return document.readyState") == "complete", timeout,
        "the next page loaded",
    )  # fmt: skip
