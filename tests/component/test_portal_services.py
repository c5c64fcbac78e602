"""The portal's e-services catalogue through a real server over SQLite and PostgreSQL: a card
shows everything its article's current version says for residents and nothing for staff; an
article without a card is not public; search is the console's, cards only; forms are served by
exact name only."""

from __future__ import annotations

import itertools
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from yarl import URL

from cic.config import Settings
from cic.db import Store
from cic.departments.models import Department
from cic.kb.plugin import CatalogueDeps, install_catalogue
from cic.kb.service import KbService
from tests.component.portal_world import PortalWorld, portal_client

KB = Path(__file__).resolve().parents[2] / "kb"
LOCAL = "Notatka urzędu: uchwała 12/2026 do sprawdzenia."
CARD = """card:
  summary: Zaświadczenie o niezaleganiu w podatkach lub o stanie zaległości.
  documents: [Wniosek z celem zaświadczenia., Dowód osobisty do wglądu.]
  fees: "Opłata skarbowa: 21 zł."
  duration: Najpóźniej w 7 dni.
  how_to_file: [osobiscie, poczta, epuap]
  online: [{title: Usługa w serwisie gov.pl, url: "https://www.gov.pl/"}]
  forms: [{file: wniosek-testowy.odt, title: Wniosek o zaświadczenie}]
  legal_basis: [Ustawa z dnia 29 sierpnia 1997 r. — Ordynacja podatkowa.]
"""
ARTICLE = """---
id: {slug}
title: {title}
department: {department}
topics: [zaswiadczenia]
keywords: [{keywords}]
updated: 2026-11-28
needs_local_check: true
local_check: "{local}"
{card}---
## Czego dotyczy

{body}

## Wskazówki dla konsultanta

Sprawdź tożsamość rozmówcy przed podaniem kwot.

## Gdzie załatwić

Dane kontaktowe komórki pokazuje konsola.
"""
FORM = b"PK\x03\x04 formularz testowy"


def write(folder: Path, slug: str, title: str, card: str, department: str = "FN",
          keywords: str = "zaświadczenie o niezaleganiu", body: str = "Publiczny opis sprawy.",
          ) -> None:  # fmt: skip
    text = ARTICLE.format(slug=slug, title=title, department=department, keywords=keywords,
                          local=LOCAL, card=card, body=body)  # fmt: skip
    (folder / f"{slug}.md").write_text(text, encoding="utf-8")


@pytest.fixture
def articles(tmp_path: Path) -> Path:
    folder = tmp_path / "kb"
    (folder / "formularze").mkdir(parents=True)
    (folder / "formularze" / "wniosek-testowy.odt").write_bytes(FORM)
    (folder / "formularze" / "nieoferowany.odt").write_bytes(b"nie z karty")
    write(folder, "zaswiadczenie-o-niezaleganiu", "Zaświadczenie o niezaleganiu", CARD)
    write(folder, "zaswiadczenie-wewnetrzne", "Zaświadczenie — procedura wewnętrzna", "",
          keywords="zaświadczenie o niezaleganiu, procedura")  # fmt: skip
    other = CARD.replace("Zaświadczenie o niezaleganiu w podatkach", "Wycinka drzewa na działce")
    other = "".join(line for line in other.splitlines(True) if "forms:" not in line)
    write(folder, "wycinka-drzew", "Wycinka drzew", other, department="RO",
          keywords="wycinka drzewa, usunięcie drzewa")  # fmt: skip
    return folder


async def _world(db_url: str, folder: Path) -> tuple[Store, KbService, Settings]:
    store = Store(db_url)
    store.migrate()
    hours = '{"mon": ["08:00-16:00"], "wed": ["10:00-18:00"]}'
    store.run_sync(lambda s: s.add(Department(code="FN", name="Finanse i podatki", hours=hours)))
    kb = KbService(store, folder)
    await kb.load()
    settings = Settings()
    settings.office.name = "Urząd Gminy Testowo"
    settings.portal.epuap_box = "/ugtestowo/SkrytkaESP"
    settings.portal.phone = "+48 11 222 33 44"
    return store, kb, settings


@pytest.fixture
async def world(db_url: str, articles: Path) -> AsyncIterator[tuple[PortalWorld, KbService]]:
    store, kb, settings = await _world(db_url, articles)
    add = lambda app, portal: install_catalogue(app, CatalogueDeps(kb))  # noqa: E731
    async with portal_client(store, settings, add) as w:
        yield w, kb
    await store.close()


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


async def test_a_card_shows_what_a_resident_needs_and_nothing_for_staff(
    world: tuple[PortalWorld, KbService],
) -> None:
    w, _ = world
    status, html = await w.get("/e-urzad/uslugi/zaswiadczenie-o-niezaleganiu")
    assert status == 200, html
    text = _text(html)
    for shown in (
        "Zaświadczenie o niezaleganiu w podatkach lub o stanie zaległości.",
        "Wniosek z celem zaświadczenia.",
        "Dowód osobisty do wglądu.",
        "Opłata skarbowa: 21 zł.",
        "Najpóźniej w 7 dni.",
        "Osobiście w urzędzie",
        "Pocztą",
        "Elektronicznie przez ePUAP",
        "/ugtestowo/SkrytkaESP",
        "Ustawa z dnia 29 sierpnia 1997 r. — Ordynacja podatkowa.",
        "Finanse i podatki",
        "poniedziałek: 08:00–16:00",
        "środa: 10:00–18:00",
        "+48 11 222 33 44",
        "Publiczny opis sprawy.",
        "Wniosek o zaświadczenie",
        "potwierdź je w urzędzie",
    ):
        assert shown in text, shown  # fmt: skip
    assert 'href="/e-urzad/uslugi/formularze/wniosek-testowy.odt"' in html
    assert 'href="https://epuap.gov.pl/' in html and 'href="https://www.gov.pl/"' in html
    for hidden in (
        LOCAL,
        "uchwała 12/2026",
        "Wskazówki dla konsultanta",
        "Sprawdź tożsamość",
        "pokazuje konsola",
    ):
        assert hidden not in html, hidden  # fmt: skip
    assert "<script" not in html and "Set-Cookie" not in html
    headings = re.findall(r"<h([1-6])", html)
    assert headings[0] == "1"
    assert all(int(b) - int(a) <= 1 for a, b in itertools.pairwise(headings))


async def test_an_article_without_a_card_is_not_public(
    world: tuple[PortalWorld, KbService],
) -> None:
    w, _ = world
    status, html = await w.get("/e-urzad/uslugi/zaswiadczenie-wewnetrzne")
    assert status == 404 and "Nie ma takiej strony" in html
    assert (await w.get("/e-urzad/uslugi/nie-ma-takiej"))[0] == 404
    status, html = await w.get("/e-urzad/uslugi")
    assert status == 200
    assert "/e-urzad/uslugi/zaswiadczenie-o-niezaleganiu" in html
    assert "zaswiadczenie-wewnetrzne" not in html and "procedura wewnętrzna" not in html


async def test_the_catalogue_groups_the_cards_by_department(
    world: tuple[PortalWorld, KbService],
) -> None:
    w, _ = world
    _, html = await w.get("/e-urzad/uslugi")
    groups = re.findall(r'<h2 id="grupa-\d+">([^<]+)</h2>', html)
    assert groups == ["Finanse i podatki", "Referat Rolnictwa i Ochrony Środowiska"]
    fn = html.index('id="grupa-1"')
    assert (
        fn
        < html.index("/e-urzad/uslugi/zaswiadczenie-o-niezaleganiu")
        < html.index('id="grupa-2"')
        < html.index("/e-urzad/uslugi/wycinka-drzew")
    )
    assert 'action="/e-urzad/uslugi/szukaj"' in html and 'method="get"' in html
    assert '<label for="q">' in html


async def test_search_is_the_consoles_restricted_to_cards(
    world: tuple[PortalWorld, KbService],
) -> None:
    w, kb = world
    console = [hit["slug"] for hit in kb.search("zaswiadczenia o niezaleganiu")]
    assert {"zaswiadczenie-o-niezaleganiu", "zaswiadczenie-wewnetrzne"} <= set(console)
    status, html = await w.get("/e-urzad/uslugi/szukaj?q=zaswiadczenia+o+niezaleganiu")
    assert status == 200
    found = re.findall(r'<li><a href="/e-urzad/uslugi/([a-z0-9-]+)"', html)
    assert found == [slug for slug in console if slug != "zaswiadczenie-wewnetrzne"]
    assert found[0] == "zaswiadczenie-o-niezaleganiu"
    assert "<mark>" in html  # the matched words of the title
    assert "Sprawdź tożsamość" not in html and LOCAL not in html
    _, html = await w.get("/e-urzad/uslugi/szukaj?q=wycinki+drzewa")  # another form, same word
    assert re.findall(r'<li><a href="/e-urzad/uslugi/([a-z0-9-]+)"', html) == ["wycinka-drzew"]
    _, html = await w.get("/e-urzad/uslugi/szukaj?q=qwertyuiop")
    assert "Nic nie znaleziono" in html
    _, html = await w.get("/e-urzad/uslugi/szukaj?q=" + "<script>x</script>")
    assert "<script>x" not in html


async def test_a_console_edit_shows_on_the_portal_at_once(
    world: tuple[PortalWorld, KbService],
) -> None:
    w, kb = world
    slug = "zaswiadczenie-o-niezaleganiu"
    card = dict((await kb.versions(slug))[0]["front_matter"]["card"])
    card["fees"] = "Opłata skarbowa: 21 zł (zmienione w konsoli)."
    await kb.update(slug, {"body": "## Czego dotyczy\n\nNowy opis z konsoli.\n", "card": card},
                    "kierownik")  # fmt: skip
    _, html = await w.get(f"/e-urzad/uslugi/{slug}")
    assert "Nowy opis z konsoli." in html and "(zmienione w konsoli)" in html
    assert "Publiczny opis sprawy." not in html
    await kb.update(slug, {"body": "## Czego dotyczy\n\nBez karty.\n", "card": None}, "kierownik")
    assert (await w.get(f"/e-urzad/uslugi/{slug}"))[0] == 404
    assert (await w.get("/e-urzad/uslugi/formularze/wniosek-testowy.odt"))[0] == 404


async def test_a_form_of_a_card_downloads_as_an_attachment(
    world: tuple[PortalWorld, KbService],
) -> None:
    w, _ = world
    answer = await w.client.get("/e-urzad/uslugi/formularze/wniosek-testowy.odt")
    assert answer.status == 200
    assert await answer.read() == FORM
    assert answer.headers["Content-Disposition"] == 'attachment; filename="wniosek-testowy.odt"'
    assert answer.headers["Content-Type"] == "application/vnd.oasis.opendocument.text"


@pytest.mark.parametrize(
    "name",
    ["../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "%2e%2e%2f%2e%2e%2fwycinka-drzew.md",
     "..%5C..%5Cwycinka-drzew.md", "nieoferowany.odt", "WNIOSEK-TESTOWY.ODT",
     ".wniosek-testowy.odt", "wniosek-testowy.odt%00.md", "wniosek-testowy.odt.md",
     "%2Fetc%2Fpasswd", "wniosek-testowy"],
)  # fmt: skip
async def test_any_other_name_is_not_found(world: tuple[PortalWorld, KbService], name: str) -> None:
    w, _ = world
    url = URL(str(w.client.make_url("/")) + f"e-urzad/uslugi/formularze/{name}", encoded=True)
    answer = await w.client.session.get(url)
    body = await answer.read()
    assert answer.status == 404, (name, body[:200])
    assert b"root:" not in body and b"nie z karty" not in body and b"id: " not in body


async def test_no_public_page_shows_a_local_check_or_a_staff_section(
    db_url: str, tmp_path: Path
) -> None:
    """Every card of the shipped knowledge base, the list and a search: no ``local_check``,
    no staff-only section, and at least 25 matters."""
    store, kb, settings = await _world(db_url, KB)
    add = lambda app, portal: install_catalogue(app, CatalogueDeps(kb))  # noqa: E731
    try:
        async with portal_client(store, settings, add) as w:
            _, listing = await w.get("/e-urzad/uslugi")
            slugs = re.findall(r'<li><a href="/e-urzad/uslugi/([a-z0-9-]+)"', listing)
            assert len(slugs) >= 25 and len(set(slugs)) == len(slugs)
            secrets: list[str] = []
            pages = [listing]
            for slug in slugs:
                front = (await kb.versions(slug))[0]["front_matter"]
                assert front.get("card"), slug
                if front.get("local_check"):
                    secrets.append(str(front["local_check"]))
                status, html = await w.get(f"/e-urzad/uslugi/{slug}")
                assert status == 200, slug
                pages.append(html)
                for form in front["card"].get("forms", []):
                    answer = await w.client.get(f"/e-urzad/uslugi/formularze/{form['file']}")
                    assert answer.status == 200, form
                    assert (await answer.read())[:2] == b"PK"  # an ODT (zip)
            for q in ("dowód osobisty", "podatek", "odpady", "zaświadczenie", "wycinka drzew"):
                status, html = await w.get(f"/e-urzad/uslugi/szukaj?q={q}")
                assert status == 200 and "/e-urzad/uslugi/" in html
                pages.append(html)
        assert len(secrets) >= 10
        for html in pages:
            text = _text(html)
            for secret in secrets:
                assert secret not in html and secret not in text
            for staff in (
                "Wskazówki dla konsultanta",
                "Co powiedzieć dzwoniącemu",
                "Co zapisać w zgłoszeniu",
                "pokazuje konsola",
            ):
                assert staff not in html  # fmt: skip
    finally:
        await store.close()
