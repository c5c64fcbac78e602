"""The console behind the TLS proxy in headless Chromium: signed in over HTTPS (Caddy with the
test's certificate, trusted by its key's hash), the browser softphone registers over
``wss://<public host>/ws``, which Caddy passes to Asterisk."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from cic.asterisk import process, provision
from cic.auth import users
from cic.db import utcnow
from tests.e2e.conftest import _missing, _quit, _start_chromium, _unavailable
from tests.e2e.test_console import element, page_state, sign_in, wait_data
from tests.integration.harness import Harness
from tests.integration.tls_ca import TlsFiles, make_ca, spki_sha256
from tests.integration.tls_proxy import TlsPorts, caddy_in_front, free_ports, overrides

pytestmark = pytest.mark.e2e

PASSWORD = "haslo-wiktorii-12345"
Proxied = tuple[Harness, TlsPorts, TlsFiles]


@pytest.fixture(scope="module")
def proxied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proxied]:
    missing = _missing() + ([] if shutil.which("caddy") else ["caddy"])
    if missing:
        _unavailable(f"e2e tests need {', '.join(missing)} (bash bin/install-deps)")
    ca = make_ca(tmp_path_factory.mktemp("ca"))
    ports = free_ports()
    state = tmp_path_factory.mktemp("tls-e2e-state")
    settings = {**overrides(ca, ports, "[]"), "CIC_TLS__SIP_PORT": "0"}
    with Harness.running(state, **settings) as pbx:
        with caddy_in_front(pbx, ports, state):
            yield pbx, ports, ca


def test_console_softphone_registers_over_wss_through_the_proxy(proxied: Proxied) -> None:
    pbx, ports, ca = proxied
    pbx.api("POST", "/api/agents", {"username": "wiktoria", "display_name": "Wiktoria"})

    def seed(db: Any) -> None:
        users.add(db, "wiktoria", "Wiktoria Testowa", "agent", PASSWORD,
                  agent_username="wiktoria", now=utcnow())  # fmt: skip

    pbx.in_db(seed)
    trust = f"--ignore-certificate-errors-spki-list={spki_sha256(ca.cert_file)}"
    driver, profile = _start_chromium((trust,))
    violations: list[str] = []
    try:
        sign_in(driver, ports.public, "wiktoria", PASSWORD, "/konsola")
        assert driver.execute_script("return window.isSecureContext") is True
        config = element(driver, "#phone-config").get_attribute("textContent")
        assert f'"wss://localhost:{ports.https}/ws"' in config, page_state(driver)
        wait_data(driver, "sip", "registered", 25, "the softphone registered over WSS")
        layout = provision.locate(pbx.settings)
        contacts = process.rx(layout, "pjsip show contacts like agent-wiktoria")
        assert "agent-wiktoria/sip:" in contacts, contacts  # from Caddy's address: the proxy
    finally:
        violations = _quit(driver, profile)
    assert violations == [], violations
