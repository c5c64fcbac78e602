"""The pure rules of announcements: addresses, visibility, targeting, one-time and
unsubscribe links, the feeds' XML and the newsletter's letters."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest

from cic.announcements import letters
from cic.announcements.errors import InvalidSubscription
from cic.announcements.feeds import feed
from cic.announcements.newsletter import normal_address
from cic.announcements.present import from_local_field, local_field, polish_date
from cic.announcements.rules import (
    UnsubscribeKeys,
    dump_list,
    is_public,
    link_usable,
    load_list,
    matches,
    slugify,
    token_hash,
)
from cic.announcements.service import PublicAnnouncement

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
ATOM = "{http://www.w3.org/2005/Atom}"


def item(**changes: object) -> PublicAnnouncement:
    values: dict[str, object] = dict(
        id=7, title="Zażółć <gęślą> & jaźń", slug="zazolc-gesla-jazn",
        summary="Wywóz <b>odpadów</b> & segregacja", body_html="<p>Treść &amp; więcej</p>",
        category="odpady", category_name="Odpady", solectwa=("Dąbrowa",),
        published_at=NOW - HOUR, updated_at=NOW,
    )  # fmt: skip
    values.update(changes)
    return PublicAnnouncement(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("title", "slug"),
    [("Wywóz śmieci – zmiana terminu", "wywoz-smieci-zmiana-terminu"),
     ("Łąka, żółw i ŹDŹBŁO!", "laka-zolw-i-zdzblo"), ("???", "ogloszenie"),
     ("a" * 200, "a" * 80)],
)  # fmt: skip
def test_slugs_are_ascii_words_of_the_title(title: str, slug: str) -> None:
    assert slugify(title) == slug


def test_only_scheduled_or_published_announcements_in_their_window_are_public() -> None:
    assert is_public("published", NOW - HOUR, None, NOW)
    assert is_public("scheduled", NOW, None, NOW)  # from publish_at on, loop or not
    assert not is_public("scheduled", NOW + HOUR, None, NOW)
    assert not is_public("published", NOW - HOUR, NOW, NOW)  # expired at this instant
    assert is_public("published", NOW - HOUR, NOW + HOUR, NOW)
    assert not is_public("withdrawn", NOW - HOUR, None, NOW)
    assert not is_public("draft", NOW - HOUR, None, NOW)
    assert not is_public("published", None, None, NOW)


def test_targeting_by_category_and_solectwo() -> None:
    # The whole gmina's announcement reaches every sołectwo's subscriber.
    assert matches("odpady", [], ["odpady"], ["Dąbrowa"])
    # A sołectwo's announcement: its subscribers and those who chose none (all sołectwa).
    assert matches("odpady", ["Dąbrowa"], [], ["Dąbrowa", "Lipki"])
    assert matches("odpady", ["Dąbrowa"], [], [])
    assert not matches("odpady", ["Dąbrowa"], [], ["Lipki"])
    # Categories: the chosen ones only; none chosen means all.
    assert not matches("drogi", [], ["odpady"], [])
    assert matches("drogi", [], [], [])


def test_one_time_links_expire_and_are_stored_only_as_hashes() -> None:
    assert link_usable(NOW + timedelta(seconds=1), NOW)
    assert not link_usable(NOW, NOW)
    assert not link_usable(None, NOW)  # used: no expiry left
    assert token_hash("abc") == token_hash("abc") != token_hash("abd")
    assert len(token_hash("abc")) == 64 and "abc" not in token_hash("abc")


def test_unsubscribe_links_are_signed_for_one_address() -> None:
    keys = UnsubscribeKeys(b"k" * 32)
    token = keys.token(12, 0, "Jan@Przyklad.pl")
    assert keys.parse(token) == (12, 0)
    assert keys.valid(token, "jan@przyklad.pl")
    assert not keys.valid(token, "ktos@przyklad.pl")
    assert not UnsubscribeKeys(b"x" * 32).valid(token, "jan@przyklad.pl")
    forged = token.replace("12.", "13.", 1)
    assert keys.parse(forged) == (13, 0) and not keys.valid(forged, "jan@przyklad.pl")
    for bad in ("", "1.2", "a.0.x", "1.0.x.y", "-1.0.abc"):
        assert keys.parse(bad) is None and not keys.valid(bad, "jan@przyklad.pl")


def test_lists_round_trip_sorted_and_broken_values_read_empty() -> None:
    assert load_list(dump_list(["Lipki", "Dąbrowa", "Lipki"])) == ["Dąbrowa", "Lipki"]
    assert load_list("nie json") == [] and load_list('{"a": 1}') == []


def test_addresses_are_normalised_or_refused() -> None:
    assert normal_address("  Jan.Kowalski@Przyklad.PL ") == "jan.kowalski@przyklad.pl"
    for bad in ("jan", "jan@", "jan@przyklad", "jan kowalski@p.pl", "<j@p.pl>", "j@p..pl"):
        with pytest.raises(InvalidSubscription):
            normal_address(bad)


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_feeds_are_valid_xml_with_polish_letters_and_escaped_markup(kind: str) -> None:
    body = feed(
        kind, [item()], title="Ogłoszenia – Gmina Żółkiewka", base="https://gmina.test/",  # type: ignore[arg-type]
        page="https://gmina.test/e-urzad/ogloszenia",
        self_url=f"https://gmina.test/e-urzad/ogloszenia/{kind}.xml", description="Ogłoszenia",
    )  # fmt: skip
    assert body.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    root = ET.fromstring(body)
    link = "https://gmina.test/e-urzad/ogloszenia/7-zazolc-gesla-jazn"
    if kind == "rss":
        assert root.tag == "rss" and root.get("version") == "2.0"
        channel = root.find("channel")
        assert channel is not None and channel.findtext("title") == "Ogłoszenia – Gmina Żółkiewka"
        entry = channel.find("item")
        assert entry is not None
        assert entry.findtext("title") == "Zażółć <gęślą> & jaźń"
        assert entry.findtext("link") == link and entry.findtext("guid") == link
        # The summary is text: in the (HTML) description its markup is escaped, not live.
        assert entry.findtext("description") == "Wywóz &lt;b&gt;odpadów&lt;/b&gt; &amp; segregacja"
        assert entry.findtext("category") == "Odpady"
    else:
        assert root.tag == f"{ATOM}feed"
        entry = root.find(f"{ATOM}entry")
        assert entry is not None and entry.findtext(f"{ATOM}title") == "Zażółć <gęślą> & jaźń"
        assert entry.findtext(f"{ATOM}id") == link
        assert entry.findtext(f"{ATOM}content") == "<p>Treść &amp; więcej</p>"
        assert "<b>" not in (entry.findtext(f"{ATOM}summary") or "")
    assert "Zażółć".encode() in body and "<gęślą>".encode() not in body


def test_an_empty_feed_is_still_a_feed() -> None:
    body = feed("atom", [], title="Ogłoszenia", base="https://g.test", page="https://g.test/",
                self_url="https://g.test/a.xml", description="-")  # fmt: skip
    assert ET.fromstring(body).find(f"{ATOM}entry") is None


def test_the_newsletter_letter_carries_the_one_click_unsubscribe_headers() -> None:
    links = letters.Links("https://gmina.test/")
    unsubscribe = links.unsubscribe("12.0.abc")
    letter = letters.announcement(
        "jan@przyklad.pl", "Urząd Gminy Testowo", item(), "**Treść** ogłoszenia", unsubscribe,
        links, "Europe/Warsaw", "Ogłoszenia <ogloszenia.gmina.test>",
    )  # fmt: skip
    headers = dict(letter.headers)
    assert headers["List-Unsubscribe"] == (
        "<https://gmina.test/e-urzad/powiadomienia/wypisz/12.0.abc>"
    )
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe in letter.text and "dotyczy: Dąbrowa" in letter.text
    assert "https://gmina.test/e-urzad/ogloszenia/7-zazolc-gesla-jazn" in letter.text


def test_times_read_in_polish_and_local_fields_round_trip() -> None:
    assert polish_date(NOW, "Europe/Warsaw") == "6 grudnia 2026"
    assert local_field(NOW, "Europe/Warsaw") == "2026-12-06T13:00"
    assert from_local_field("2026-12-06T13:00", "Europe/Warsaw") == NOW
    assert from_local_field("", "Europe/Warsaw") is None
    with pytest.raises(ValueError):
        from_local_field("jutro", "Europe/Warsaw")
