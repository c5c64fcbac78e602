"""Subscriptions to the newsletter: double opt-in, one-time confirmation links that expire,
unsubscribing with no sign-in, and the same answer whether an address is on the list or not.

A request (new address or new choices of a subscribed one) is kept aside with the SHA-256 of
its one-time link and sent as a confirmation e-mail; only following the link makes it count
(a subscribed address keeps its old choices until then). Unconfirmed requests of new
addresses are deleted once their link has expired.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from cic.announcements.errors import InvalidSubscription, LinkExpired, NewsletterUnavailable
from cic.announcements.letters import Letter, Links, confirmation
from cic.announcements.models import NewsSubscriber
from cic.announcements.rules import (
    UnsubscribeKeys,
    dump_list,
    link_usable,
    new_token,
    token_hash,
)
from cic.db import Store, utcnow

#: A practical address check (the mail server has the last word): one @, a dot in the domain,
#: no spaces, quotes or angle brackets.
_CHAR = r"[^@\s<>\"'(),;:\\]"
_ADDRESS = re.compile(rf"{_CHAR}{{1,64}}@{_CHAR}{{1,251}}\.[^@\s<>\"'(),;:\\.]{{2,63}}")
ADDRESS_MAX = 254

Send = Callable[[Letter], Awaitable[None]]


def normal_address(raw: str) -> str:
    """``raw`` trimmed and lower-cased, or ``InvalidSubscription`` when it is no address."""
    address = raw.strip().lower()
    if len(address) > ADDRESS_MAX or not _ADDRESS.fullmatch(address) or ".." in address:
        raise InvalidSubscription({"email": "Podaj poprawny adres e-mail, np. jan@przyklad.pl."})
    return address


@dataclass
class Newsletter:
    """Subscriptions over ``store``. ``send`` sends one letter (``None``: e-mail is not set
    up, nobody can subscribe); ``keys`` sign the unsubscribe links."""

    store: Store
    keys: UnsubscribeKeys
    links: Links
    office: str
    send: Send | None = None
    solectwa: tuple[str, ...] = ()
    confirm_hours: int = 48
    now: Callable[[], datetime] = field(default=utcnow)

    @property
    def available(self) -> bool:
        """Whether subscribing works here (the office's e-mail is set up)."""
        return self.send is not None

    async def subscribe(
        self, email: str, categories: Sequence[str], solectwa: Sequence[str], consent: str,
        known_categories: Sequence[str],
    ) -> None:  # fmt: skip
        """Keep the request and send the confirmation link. Whether ``email`` was subscribed
        already changes nothing in what the caller sees."""
        if self.send is None:
            raise NewsletterUnavailable("Powiadomienia e-mail nie są w tym urzędzie włączone.")
        address = normal_address(email)
        wrong = [c for c in categories if c not in known_categories]
        if wrong:
            raise InvalidSubscription({"categories": "Wybierz kategorie z listy."})
        if any(s not in self.solectwa for s in solectwa):
            raise InvalidSubscription({"solectwa": "Wybierz sołectwa z listy."})
        token, now = new_token(), self.now()
        expires = now + timedelta(hours=self.confirm_hours)

        def work(session: Session) -> None:
            row = session.scalar(select(NewsSubscriber).where(NewsSubscriber.email == address))
            if row is None:
                row = NewsSubscriber(email=address, state="pending", generation=0)
                session.add(row)
            elif row.state == "unsubscribed":
                row.state = "pending"
            row.pending_categories, row.pending_solectwa = (
                dump_list(categories),
                dump_list(solectwa),
            )
            row.confirm_hash, row.confirm_expires_at = token_hash(token), expires
            row.consent, row.requested_at = consent, now

        await self.store.run(work)
        letter = confirmation(
            address, self.office, self.links.confirm(token), self.confirm_hours, self.links
        )
        await self.send(letter)

    async def check_link(self, token: str) -> bool:
        """Whether ``token`` is a confirmation link that can still be used."""
        now = self.now()

        def work(session: Session) -> bool:
            return self._pending(session, token, now) is not None

        return await self.store.run(work)

    async def confirm(self, token: str) -> None:
        """Apply the request behind ``token`` (once), else ``LinkExpired``."""
        now = self.now()

        def work(session: Session) -> None:
            row = self._pending(session, token, now)
            if row is None:
                raise LinkExpired()
            row.state, row.confirmed_at = "confirmed", now
            row.categories, row.solectwa = row.pending_categories, row.pending_solectwa
            row.confirm_hash, row.confirm_expires_at = "", None

        await self.store.run(work)

    async def check_unsubscribe(self, token: str) -> bool:
        """Whether ``token`` is a well-signed unsubscribe link of an address on record."""

        def work(session: Session) -> bool:
            return self._unsubscribe_row(session, token) is not None

        return await self.store.run(work)

    async def unsubscribe(self, token: str) -> None:
        """Take the address of ``token`` off the list at once (again: no change); a link
        that is not ours is ``LinkExpired``."""
        now = self.now()

        def work(session: Session) -> None:
            row = self._unsubscribe_row(session, token)
            if row is None:
                raise LinkExpired("Ten link wypisania jest nieprawidłowy.")
            named = self.keys.parse(token)
            if row.state == "unsubscribed" or named is None or named[1] != row.generation:
                return  # done before (a link older than a later subscription: not this one)
            row.state, row.unsubscribed_at, row.generation = "unsubscribed", now, row.generation + 1
            row.categories = row.solectwa = row.pending_categories = row.pending_solectwa = "[]"
            row.confirm_hash, row.confirm_expires_at = "", None

        await self.store.run(work)

    async def purge(self) -> int:
        """Delete the requests of new addresses never confirmed in time and drop expired
        links of subscribed ones; returns how many addresses were deleted."""
        now = self.now()

        def work(session: Session) -> int:
            expired = NewsSubscriber.confirm_expires_at < now
            gone = session.execute(
                delete(NewsSubscriber).where(NewsSubscriber.state == "pending", expired)
            )
            session.execute(
                update(NewsSubscriber).where(expired)
                .values(confirm_hash="", confirm_expires_at=None)
            )  # fmt: skip
            return int(getattr(gone, "rowcount", 0) or 0)

        return await self.store.run(work)

    def unsubscribe_token(self, subscriber_id: int, generation: int, email: str) -> str:
        """The token of a subscriber's unsubscribe link."""
        return self.keys.token(subscriber_id, generation, email)

    @staticmethod
    def _pending(session: Session, token: str, now: datetime) -> NewsSubscriber | None:
        if not token or len(token) > 100:
            return None
        row = session.scalar(
            select(NewsSubscriber).where(NewsSubscriber.confirm_hash == token_hash(token))
        )
        return row if row is not None and link_usable(row.confirm_expires_at, now) else None

    def _unsubscribe_row(self, session: Session, token: str) -> NewsSubscriber | None:
        named = self.keys.parse(token)
        if named is None:
            return None
        row = session.get(NewsSubscriber, named[0])
        if row is None or not self.keys.valid(token, row.email):
            return None
        return row
