"""The announcements as RSS 2.0 and Atom 1.0 feeds, made with ``feedgenerator`` (the
standalone feed writer of Django, kept by the Pelican project): it writes through the
standard library's XML generator, so titles and texts with ``<``, ``>``, ``&`` and Polish
letters come out escaped and in UTF-8."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Literal

import feedgenerator

from cic.announcements.service import PublicAnnouncement

Kind = Literal["rss", "atom"]
MEDIA = {"rss": "application/rss+xml", "atom": "application/atom+xml"}


def feed(
    kind: Kind,
    items: Sequence[PublicAnnouncement],
    *,
    title: str,
    base: str,
    page: str,
    self_url: str,
    description: str,
) -> bytes:
    """The feed document (UTF-8 bytes). ``base`` is the public address the item links are
    made on, ``page`` the HTML list it stands for, ``self_url`` the feed's own address."""
    make = feedgenerator.Rss201rev2Feed if kind == "rss" else feedgenerator.Atom1Feed
    document = make(
        title=title, link=page, description=description, language="pl", feed_url=self_url,
        feed_guid=self_url,
    )  # fmt: skip
    for item in items:
        link = base.rstrip("/") + item.path
        document.add_item(
            title=item.title, link=link, description=escape(item.summary or item.title),
            content=item.body_html, pubdate=item.published_at,
            updateddate=max(item.updated_at, item.published_at), unique_id=link,
            unique_id_is_permalink=True, categories=(item.category_name,),
        )  # fmt: skip
    return bytes(document.writeString("utf-8").encode("utf-8"))
