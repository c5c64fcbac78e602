"""A call-out confirmed from its e-mail, end to end: a controller of its own with the office's
mailbox on the real Postfix and Dovecot; a message asking for confirmation is queued in its
notification store, its e-mail sender sends it, the link from the real mailbox is opened in
headless Chromium (the page confirms nothing by itself), the button is reached by keyboard and
confirms; a forged link gets the Polish refusal. axe finds nothing on any of the pages, at
360 px too."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from cic.bus import InProcessBus
from cic.db import Store
from cic.notify.service import NotifyService, Outgoing, Recipient
from tests.e2e.test_console import page_state
from tests.e2e.test_console_messages import _mail_env
from tests.e2e.test_portal_news import _accessible, _keys, _plain, _tab_to, _text
from tests.integration.harness import Harness
from tests.mailfixtures import MailUser
from tests.mailserver import MailServer

pytestmark = pytest.mark.e2e

CALL_OUT = Outgoing(
    "Zgłoszenie: powalone drzewo na drodze, ul. Leśna 4 w Żabnie. Proszę potwierdzić wyjazd.",
    "Wezwanie – Urząd Gminy Testowo",
    confirm=True,
)


@pytest.fixture(scope="module")
def notify_controller(
    tmp_path_factory: pytest.TempPathFactory, mail_server: MailServer
) -> Iterator[Harness]:
    """A controller sending through the test mail system, its senders looking every second."""
    state = tmp_path_factory.mktemp("cic-e2e-notify-state")
    env = {**_mail_env(mail_server), "CIC_NOTIFY__POLL_SECONDS": "1"}
    with Harness.running(state, **env) as h:
        yield h


def _notify(h: Harness, work: Callable[[NotifyService], Any]) -> Any:
    async def run() -> Any:
        store, bus = Store(h.settings.db_url), InProcessBus()
        try:
            return await work(NotifyService(store, bus))
        finally:
            await bus.close()
            await store.close()

    return asyncio.run(run())


def test_a_call_out_is_confirmed_from_its_email(
    notify_controller: Harness,
    mail_server: MailServer,
    mail_user: MailUser,
    chromium_factory: Callable[[], Any],
) -> None:
    from selenium.webdriver.common.keys import Keys

    h = notify_controller
    base = f"http://127.0.0.1:{h.settings.web_port}"
    people = [Recipient("email", mail_user.address, "responder:1")]
    _notify(h, lambda service: service.send("dispatch:9", CALL_OUT, people))

    raw = mail_server.wait_for(mail_user.address, lambda r: b"/potwierdz/" in r, 60)
    link = re.search(r"http://\S+/e-urzad/potwierdz/\S+", _plain(raw))
    assert link, _plain(raw)
    assert _plain(raw).startswith(CALL_OUT.text)
    browser = chromium_factory()
    browser.set_window_size(1280, 900)
    browser.get(link.group(0))
    assert "Potwierdź odbiór wiadomości" in _text(browser)
    _accessible(browser, "the confirmation page")
    [delivery] = _notify(h, lambda service: service.deliveries("dispatch:9"))
    assert delivery["status"] == "delivered"  # opening the link confirmed nothing

    _tab_to(browser, "a.type === 'submit'", "the confirm button")
    _keys(browser, Keys.ENTER)
    Harness.wait_for(lambda: "Odbiór potwierdzony" in _text(browser), 15, "confirmed",
                     lambda: page_state(browser))  # fmt: skip
    _accessible(browser, "the page after confirming")
    [delivery] = _notify(h, lambda service: service.deliveries("dispatch:9"))
    assert delivery["status"] == "confirmed" and delivery["confirmed_at"]

    browser.get(f"{base}/e-urzad/potwierdz/1-AAAAAAAAAAAA")
    assert "Link nieważny" in _text(browser) and "nieprawidłowy" in _text(browser)
    _accessible(browser, "the refusal of a forged link")
