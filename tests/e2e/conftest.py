"""Fixtures for browser tests: headless Chromium (Debian's chromium + chromium-driver) driven
by Selenium through the system chromedriver, against a real Asterisk and controller.

Without Chromium, chromedriver or selenium the tests are skipped locally and fail under CI=true.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from cic.demo.pcap import wav_to_pcap
from tests.integration.harness import Harness

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
REPO = Path(__file__).resolve().parents[2]
STATIC = REPO / "web" / "static"
# The flags this machine kind needs: no sandbox as root, no GPU, and no background traffic to
# Google's hosts (the closed network refuses it), plus fake media devices granted without asking.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
)


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``e2e`` marker."""
    config.addinivalue_line("markers", "e2e: drives headless Chromium against a real Asterisk")


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: not skipping)")
    pytest.skip(reason)


def _missing() -> list[str]:
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not Path(p).exists()]
    missing += [t for t in ("sipp", "espeak-ng", "sox") if not shutil.which(t)]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("selenium (pip)")
    if not (STATIC / "vendor" / "jssip.min.js").exists():
        missing.append("web/static/vendor/jssip.min.js")
    if not (REPO / "web" / "node_modules" / "axe-core" / "axe.min.js").exists():
        missing.append("web/node_modules/axe-core (npm ci in web/)")
    return missing


@pytest.fixture(scope="session")
def e2e_harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    """Asterisk (with its WebSocket transport on a free port) and the controller."""
    missing = _missing()
    if missing:
        _unavailable(f"e2e tests need {', '.join(missing)} (bash bin/install-deps)")
    h = Harness.create(tmp_path_factory.mktemp("cic-e2e-state"))
    try:
        h.start_controller()
        yield h
    finally:
        h.close()


def _start_chromium(extra_flags: tuple[str, ...] = ()) -> tuple[Any, str]:
    """A headless Chromium with fake microphone in a new empty profile; (driver, profile dir).

    ``extra_flags``: more command-line flags (e.g. trusting a test certificate)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="cic-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*CHROMIUM_FLAGS, *extra_flags, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # Both paths given: Selenium uses them as they are and never runs Selenium Manager.
    try:
        return webdriver.Chrome(options=options, service=Service(CHROMEDRIVER)), profile
    except Exception:
        shutil.rmtree(profile, ignore_errors=True)
        raise


def csp_violations(driver: Any) -> list[str]:
    """What the browser refused under the pages' Content-Security-Policy (console messages)."""
    try:
        entries = driver.get_log("browser")
    except Exception:  # a driver that already died has nothing to tell
        return []
    return [
        str(e.get("message", ""))
        for e in entries
        if "Content Security Policy" in str(e.get("message", ""))
    ]


def _quit(driver: Any, profile: str) -> list[str]:
    """Quit the browser after collecting its CSP violations; returns them."""
    try:
        return csp_violations(driver)
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def chromium() -> Iterator[Any]:
    """A headless Chromium with fake microphone, in a new empty profile; quit afterwards."""
    if _missing():
        _unavailable(f"e2e tests need {', '.join(_missing())} (bash bin/install-deps)")
    driver, profile = _start_chromium()
    violations: list[str] = []
    try:
        yield driver
    finally:
        violations = _quit(driver, profile)
    # every page the test opened ran under the real policy: nothing may have been refused
    assert violations == [], violations


@pytest.fixture
def chromium_factory() -> Iterator[Callable[[], Any]]:
    """Starts independent Chromiums (separate profiles: separate cookies, own fake devices).

    Each call returns a new driver; every one is quit afterwards.
    """
    if _missing():
        _unavailable(f"e2e tests need {', '.join(_missing())} (bash bin/install-deps)")
    started: list[tuple[Any, str]] = []

    def start() -> Any:
        started.append(_start_chromium())
        return started[-1][0]

    violations: list[str] = []
    try:
        yield start
    finally:
        for driver, profile in started:
            violations += _quit(driver, profile)
    assert violations == [], violations


@pytest.fixture(scope="session")
def tone(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A pcap of 70 s of a 440 Hz tone a resident plays for the whole call."""
    folder = tmp_path_factory.mktemp("tone")
    wav = folder / "tone.wav"
    subprocess.run(
        ["sox", "-n", "-r", "8000", "-c", "1", "-b", "16", str(wav), "synth", "70", "sine", "440",
         "vol", "0.5"],
        check=True, capture_output=True,
    )  # fmt: skip
    wav_to_pcap(wav, folder / "tone.pcap")
    return str(folder / "tone.pcap")
