"""Announcements and their newsletter end to end: headless Chromium, a controller of its own
sending through the real Postfix and reading nothing but what Dovecot holds.

A resident subscribes by keyboard alone (a first try without the consent shows the error
summary), reads the confirmation e-mail from the real mailbox (IMAP), opens its link in
Chromium and confirms. An editor signs in through /logowanie and publishes an announcement
for the resident's sołectwo: it appears on the portal and in the feeds, and the newsletter
arrives with its List-Unsubscribe fields. The resident unsubscribes with the one-click POST
of RFC 8058 (no Origin, as a mail provider sends it) and with the page's button; the next
announcement reaches nobody. axe finds nothing on any page of the section, at 360 px too.
"""

from __future__ import annotations

import email
import email.policy
import re
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any

import pytest
from sqlalchemy import select

from cic.announcements.models import Announcement, NewsSubscriber
from cic.auth import users
from cic.db import Store
from tests.e2e.axe import axe_violations
from tests.e2e.test_console import element, page_state, sign_in
from tests.e2e.test_console_messages import _mail_env
from tests.integration.harness import Harness
from tests.mailfixtures import MailUser
from tests.mailserver import MailServer

pytestmark = pytest.mark.e2e

EDITOR, PASSWORD = "red-e2e", "haslo-redaktora-e2e-1"
TITLE = "Przerwa w dostawie wody – Żabno & okolice <pilne>"


@pytest.fixture(scope="module")
def news_controller(
    tmp_path_factory: pytest.TempPathFactory, mail_server: MailServer
) -> Iterator[Harness]:
    """A controller sending through the test mail system, with the gmina's sołectwa."""
    state = tmp_path_factory.mktemp("cic-e2e-news-state")
    env = {**_mail_env(mail_server), "CIC_PORTAL__SOLECTWA": '["Dąbrowa", "Lipki", "Żabno"]',
           "CIC_CHANNELS__FORM_MIN_SECONDS": "0"}  # fmt: skip
    with Harness.running(state, **env) as h:
        yield h


def _db(h: Harness, work: Callable[[Any], Any]) -> Any:
    store = Store(h.settings.db_url)
    try:
        return store.run_sync(work)
    finally:
        store.engine.dispose()


def _accessible(driver: Any, what: str) -> None:
    """No axe violation, and no horizontal scroll at 360 px (the width is put back)."""
    assert axe_violations(driver) == [], what
    driver.set_window_size(360, 740)
    try:
        width = driver.execute_script("return document.documentElement.scrollWidth")
        assert width <= 360, f"{what}: {width} px wide at 360"
        assert axe_violations(driver) == [], f"{what} at 360 px"
    finally:
        driver.set_window_size(1280, 900)


def _keys(driver: Any, *keys: str) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    ActionChains(driver).send_keys(*keys).perform()


def _tab_to(driver: Any, script: str, what: str, limit: int = 60) -> None:
    """Press Tab until ``script`` (about ``document.activeElement``, as ``a``) is true."""
    from selenium.webdriver.common.keys import Keys

    check = f"const a = document.activeElement; return !!({script});"
    for _ in range(limit):
        if driver.execute_script(check):
            return
        _keys(driver, Keys.TAB)
    raise AssertionError(f"Tab never reached {what}: {page_state(driver)}")


def _text(driver: Any) -> str:
    return str(driver.execute_script("return document.querySelector('main').innerText"))


def _parsed(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def _plain(raw: bytes) -> str:
    part = _parsed(raw).get_body(("plain",))
    return str(part.get_content()) if part is not None else ""


def _subscribe_by_keyboard(driver: Any, base: str, address: str) -> None:
    from selenium.webdriver.common.keys import Keys

    driver.get(f"{base}/e-urzad/powiadomienia")
    _accessible(driver, "the subscription form")
    _tab_to(driver, "a.id === 'pole-email'", "the e-mail field")
    _keys(driver, address)
    _tab_to(driver, "a.type === 'submit'", "the button")  # no consent: refused
    _keys(driver, Keys.ENTER)
    Harness.wait_for(lambda: "Popraw formularz" in _text(driver), 10, "the error summary",
                     lambda: page_state(driver))  # fmt: skip
    _accessible(driver, "the form with its errors")
    assert element(driver, "#pole-email").get_attribute("value") == address  # kept
    _tab_to(driver, "a.value === 'ostrzezenia'", "the Ostrzeżenia category")
    _keys(driver, Keys.SPACE)
    _tab_to(driver, "a.value === 'Żabno'", "the Żabno sołectwo")
    _keys(driver, Keys.SPACE)
    _tab_to(driver, "a.id === 'pole-zgoda'", "the consent")
    _keys(driver, Keys.SPACE)
    _tab_to(driver, "a.type === 'submit'", "the button")
    _keys(driver, Keys.ENTER)
    Harness.wait_for(lambda: "Sprawdź skrzynkę" in _text(driver), 15, "the answer",
                     lambda: page_state(driver))  # fmt: skip
    _accessible(driver, "the answer after subscribing")


def _publish(driver: Any, base: str, title: str, category: str, solectwo: str) -> None:
    """As the signed-in editor: a new announcement, published now."""
    from selenium.webdriver.support.ui import Select

    driver.get(f"{base}/redakcja/ogloszenia/nowe")
    element(driver, "#f-title").send_keys(title)
    Select(element(driver, "#f-category")).select_by_value(category)
    element(driver, "#f-summary").send_keys("Od 8:00 do 14:00 – prace na sieci.")
    element(driver, "#f-body").send_keys("Prosimy o **zapas wody**.\n\n- ul. Polna\n- ul. Leśna")
    element(driver, f"#f-solectwa input[value='{solectwo}']").click()
    element(driver, "#opublikuj").click()
    Harness.wait_for(lambda: "Opublikowano" in driver.page_source, 15, "published",
                     lambda: page_state(driver))  # fmt: skip


def test_subscribe_confirm_receive_and_unsubscribe(
    news_controller: Harness,
    mail_server: MailServer,
    mail_user: MailUser,
    chromium_factory: Callable[[], Any],
) -> None:
    h = news_controller
    base = f"http://127.0.0.1:{h.settings.web_port}"
    address = mail_user.address
    now = datetime.now(UTC)
    _db(h, lambda db: users.add(db, EDITOR, "Ewa Redaktorka", "editor", PASSWORD, now=now))
    resident = chromium_factory()
    resident.set_window_size(1280, 900)

    resident.get(f"{base}/e-urzad/ogloszenia")
    assert "Brak ogłoszeń" in _text(resident)
    _accessible(resident, "the empty list")
    _subscribe_by_keyboard(resident, base, address)

    # The confirmation e-mail, from the real mailbox; its link opened in Chromium.
    raw = mail_server.wait_for(address, lambda r: b"/potwierdz/" in r, 30)
    link = re.search(r"http://\S+/e-urzad/powiadomienia/potwierdz/\S+", _plain(raw))
    assert link, _plain(raw)
    resident.get(link.group(0))
    _accessible(resident, "the confirmation page")
    from selenium.webdriver.common.keys import Keys

    _tab_to(resident, "a.type === 'submit'", "the confirm button")
    _keys(resident, Keys.ENTER)
    Harness.wait_for(lambda: "Zapis potwierdzony" in _text(resident), 15, "confirmed",
                     lambda: page_state(resident))  # fmt: skip
    _accessible(resident, "the confirmed page")
    state = _db(h, lambda db: db.scalar(
        select(NewsSubscriber.state).where(NewsSubscriber.email == address)))  # fmt: skip
    assert state == "confirmed"

    # An editor publishes for Żabno; the newsletter arrives with the one-click headers.
    editor = chromium_factory()
    sign_in(editor, base, EDITOR, PASSWORD, "/redakcja")
    assert element(editor, "a[href='/redakcja/konsultacje']").text == "Konsultacje"
    _publish(editor, base, TITLE, "komunikaty", "Żabno")  # not a chosen category: no e-mail
    _publish(editor, base, TITLE, "ostrzezenia", "Żabno")
    raw = mail_server.wait_for(address, lambda r: b"List-Unsubscribe-Post" in r, 30)
    news = _parsed(raw)
    assert TITLE in str(news["Subject"])
    assert news["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = str(news["List-Unsubscribe"])
    assert re.fullmatch(rf"<{re.escape(base)}/e-urzad/powiadomienia/wypisz/[\w.-]+>", unsubscribe)
    assert unsubscribe[1:-1] in _plain(raw) and "zapas wody" in _plain(raw)
    assert len(mail_server.messages(address)) == 2  # the confirmation and one announcement

    # On the portal: the list, the announcement, the feeds.
    resident.get(f"{base}/e-urzad/ogloszenia?kategoria=ostrzezenia&solectwo=%C5%BBabno")
    _accessible(resident, "the filtered list")
    element(resident, "main h2 a").click()
    Harness.wait_for(lambda: TITLE in _text(resident), 10, "the announcement",
                     lambda: page_state(resident))  # fmt: skip
    assert element(resident, "main strong").text == "zapas wody"
    assert EDITOR not in resident.page_source and "Ewa Redaktorka" not in resident.page_source
    _accessible(resident, "the announcement")
    with urllib.request.urlopen(f"{base}/e-urzad/ogloszenia/rss.xml?kategoria=ostrzezenia") as r:
        channel = ET.fromstring(r.read()).find("channel")
    assert channel is not None and [i.findtext("title") for i in channel.iter("item")] == [TITLE]

    # One-click POST as a mail provider sends it (no Origin), then the page's button.
    one_click = urllib.request.Request(
        unsubscribe[1:-1], data=b"List-Unsubscribe=One-Click", method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )  # fmt: skip
    with urllib.request.urlopen(one_click) as answer:
        assert answer.status == 200 and "Wypisano" in answer.read().decode()
    state = _db(h, lambda db: db.scalar(
        select(NewsSubscriber.state).where(NewsSubscriber.email == address)))  # fmt: skip
    assert state == "unsubscribed"
    resident.get(unsubscribe[1:-1])
    _accessible(resident, "the unsubscribe page")
    _tab_to(resident, "a.type === 'submit'", "the unsubscribe button")
    _keys(resident, Keys.ENTER)
    Harness.wait_for(lambda: "Wypisano z powiadomień" in _text(resident), 10, "unsubscribed",
                     lambda: page_state(resident))  # fmt: skip
    _accessible(resident, "the unsubscribed page")

    # The next announcement for Żabno is queued for nobody: nothing more arrives.
    _publish(editor, base, "Ostrzeżenie przed burzą w Żabnie", "ostrzezenia", "Żabno")
    last = select(Announcement.mailed_at).where(
        Announcement.title == "Ostrzeżenie przed burzą w Żabnie"
    )
    Harness.wait_for(lambda: _db(h, lambda db: db.scalar(last)) is not None, 30,
                     "the last announcement looked at by the newsletter loop")  # fmt: skip
    assert len(mail_server.messages(address)) == 2
