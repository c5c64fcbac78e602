"""The pure rules of announcements and the newsletter: addresses (slugs), who sees an
announcement when, who gets it by e-mail, and the newsletter's one-time and unsubscribe
links. No I/O, so they are tested with plain values and a fixed clock."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

#: Letters NFKD does not take apart.
_FOLD = str.maketrans({"ł": "l", "Ł": "L", "đ": "d", "ø": "o", "ß": "ss"})
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
SLUG_LENGTH = 80
#: States in which an announcement is public once ``publish_at`` has come.
LIVE_STATES = ("scheduled", "published")


def slugify(text: str, limit: int = SLUG_LENGTH) -> str:
    """ASCII address words of ``text``: ``"Wywóz śmieci – zmiana"`` → ``"wywoz-smieci-zmiana"``
    (``"ogloszenie"`` when nothing is left)."""
    folded = unicodedata.normalize("NFKD", text.translate(_FOLD))
    ascii_text = folded.encode("ascii", "ignore").decode("ascii").lower()
    slug = _NOT_SLUG.sub("-", ascii_text).strip("-")[:limit].strip("-")
    return slug or "ogloszenie"


def is_public(
    state: str, publish_at: datetime | None, expires_at: datetime | None, now: datetime
) -> bool:
    """Whether residents see an announcement at ``now``: scheduled or published, its
    publication time come, not expired. Drafts and withdrawn ones never."""
    if state not in LIVE_STATES or publish_at is None or publish_at > now:
        return False
    return expires_at is None or expires_at > now


def matches(
    announcement_category: str,
    announcement_solectwa: Sequence[str],
    categories: Sequence[str],
    solectwa: Sequence[str],
) -> bool:
    """Whether a subscriber who chose ``categories`` and ``solectwa`` (empty: all) gets an
    announcement of ``announcement_category`` for ``announcement_solectwa`` (empty: the
    whole gmina, which concerns every sołectwo)."""
    if categories and announcement_category not in categories:
        return False
    if not announcement_solectwa or not solectwa:
        return True
    return bool(set(announcement_solectwa) & set(solectwa))


def dump_list(values: Iterable[str]) -> str:
    """A list column's JSON text (sorted, without repeats)."""
    return json.dumps(sorted(set(values)), ensure_ascii=False)


def load_list(text: str) -> list[str]:
    """A list column read back (a broken value reads as empty)."""
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return []
    return [str(v) for v in value] if isinstance(value, list) else []


def link_usable(expires_at: datetime | None, now: datetime) -> bool:
    """Whether a one-time link that is good until ``expires_at`` may still be used at ``now``
    (a used link has no expiry left: never)."""
    return expires_at is not None and now < expires_at


def new_token() -> str:
    """A fresh one-time link token (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What is stored of a one-time token: its SHA-256 (a database reader cannot confirm)."""
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


@dataclass(frozen=True)
class UnsubscribeKeys:
    """Signs and checks the unsubscribe links: ``<id>.<generation>.<mac>``, nothing stored.

    The MAC covers the subscriber's id, address and the generation of the subscription
    (bumped on every unsubscription), so a link never works for another address, even one
    that got the same id later."""

    key: bytes

    def token(self, subscriber_id: int, generation: int, email: str) -> str:
        """The token of ``subscriber_id``'s unsubscribe link."""
        return f"{subscriber_id}.{generation}.{self._mac(subscriber_id, generation, email)}"

    @staticmethod
    def parse(token: str) -> tuple[int, int] | None:
        """``(subscriber_id, generation)`` a token names (not yet checked), else ``None``."""
        parts = token.split(".")
        if len(parts) != 3 or not all(p.isascii() and p.isdigit() for p in parts[:2]):
            return None
        if not 0 < len(parts[0]) <= 12 or not 0 < len(parts[1]) <= 9:
            return None
        return int(parts[0]), int(parts[1])

    def valid(self, token: str, email: str) -> bool:
        """Whether ``token`` was signed for ``email`` (with the id and generation it names)."""
        named = self.parse(token)
        if named is None:
            return False
        return hmac.compare_digest(token, self.token(named[0], named[1], email))

    def _mac(self, subscriber_id: int, generation: int, email: str) -> str:
        message = f"cic-news-unsubscribe:{subscriber_id}:{generation}:{email.lower()}"
        digest = hmac.new(self.key, message.encode(), hashlib.sha256).digest()[:20]
        return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")
