"""The portal's shared pages through a real server: public (no sign-in, no cookie), Polish,
one stylesheet and no script; a POST without a page's Origin is refused."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from cic.config import Settings, load_settings
from cic.db import Store
from tests.component.portal_world import PortalWorld, portal_client


@pytest.fixture
async def world(db_url: str) -> AsyncIterator[PortalWorld]:
    store = Store(db_url)
    store.migrate()
    settings = Settings()
    settings.office.name = "Urząd Gminy Testowo"
    settings.portal.epuap_box = "/ugtestowo/SkrytkaESP"
    async with portal_client(store, settings) as world:
        yield world
    await store.close()


@pytest.mark.parametrize("path", ["/e-urzad/", "/e-urzad/dostepnosc", "/e-urzad/prywatnosc"])
async def test_each_shared_page_is_public_polish_and_sets_no_cookie(
    world: PortalWorld, path: str
) -> None:
    answer = await world.client.get(path, allow_redirects=False)
    body = await answer.text()
    assert answer.status == 200, body
    assert '<html lang="pl">' in body and "Urząd Gminy Testowo" in body
    assert "Set-Cookie" not in answer.headers
    assert "<script" not in body and body.count('rel="stylesheet"') == 1
    assert "/ugtestowo/SkrytkaESP" in body  # the footer's contact details
    assert 'href="#tresc"' in body  # the skip link


async def test_the_bare_prefix_moves_to_the_home_page(world: PortalWorld) -> None:
    answer = await world.client.get("/e-urzad", allow_redirects=False)
    assert answer.status == 301 and answer.headers["Location"] == "/e-urzad/"


async def test_an_unknown_portal_address_is_a_polish_page_in_the_portal_layout(
    world: PortalWorld,
) -> None:
    for path in ("/e-urzad/nie-ma-takiej", "/e-urzad/..%2F..%2Fetc%2Fpasswd"):
        answer = await world.client.get(path)
        body = await answer.text()
        assert answer.status == 404 and "Nie ma takiej strony" in body, path
        assert 'href="/static/css/portal.css"' in body and "root:" not in body
    wrong_method = await world.client.delete("/e-urzad/dostepnosc", headers=world.origin)
    assert wrong_method.status == 405 and "Nie ma takiej strony" in await wrong_method.text()
    staff = await world.client.get("/nie-portal")  # outside the portal: the usual answer
    assert staff.status in (302, 404) and "portal.css" not in await staff.text()


async def test_a_post_from_another_site_is_refused(world: PortalWorld) -> None:
    answer = await world.client.post(
        "/e-urzad/", data={"x": "1"}, headers={"Origin": "https://zla-strona.example"}
    )
    assert answer.status == 403


def test_the_portal_settings_are_checked() -> None:
    from cic.config import ConfigError

    with pytest.raises(ConfigError, match="solectwa"):
        load_settings(environ={"CIC_PORTAL__SOLECTWA": "Dąbrowa, Dąbrowa"})


def test_the_phone_is_shown_in_groups_and_dialled_whole() -> None:
    from cic.portal.site import site_from

    settings = Settings()
    settings.office.number = "+48820000123"
    site = site_from(settings)
    assert site.phone == "+48820000123" and site.phone_text == "+48 820 000 123"
    settings.portal.phone = "82 000 01 23 wew. 5"
    assert site_from(settings).phone_text == "82 000 01 23 wew. 5"  # as the office wrote it
    settings.portal.phone = "+48 11 222 33 44"
    assert site_from(settings).phone_text == "+48 11 222 33 44"
