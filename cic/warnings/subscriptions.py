"""Subscriptions to warnings with the record of consent: on the portal (e-mail with double
opt-in, SMS and voice with a code sent to the number), by phone (a key in the office's menu,
the call's recording is the consent's audio) and at the front desk (an official records it).
Unsubscribing works the same ways, and by the one-click link in each e-mail.

Codes and links go out through the notify store, each as its own batch
``verify:<subscription>.<n>`` (one recipient). The portal's answers are the same whether an
address is subscribed or not; only the holder of the number or mailbox can confirm.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from cic.announcements.newsletter import normal_address
from cic.announcements.rules import (
    UnsubscribeKeys,
    dump_list,
    link_usable,
    load_list,
    new_token,
    token_hash,
)
from cic.callbacks.numbers import national_number
from cic.db import Store, utcnow
from cic.notify.service import NotifyService, Outgoing, Recipient
from cic.warnings.errors import CodeRefused, InvalidWarning, LinkExpired, WarningForbidden
from cic.warnings.models import (
    CONSENT_WAYS,
    SUBSCRIPTION_CHANNELS,
    SUBSCRIPTION_STATES,
    WarningSubscription,
)
from cic.warnings.rules import code_hash, code_matches, is_mobile, new_code, spoken_code
from cic.warnings.service import Actor

PAGE = "/e-urzad/ostrzezenia/subskrypcja"
#: Roles that record a resident's consent at the front desk (admin may too).
DESK = ("agent", "specialist", "supervisor", "admin")


@dataclass(frozen=True)
class SubscriptionView:
    """A subscription as the staff's desk section and the API show it."""

    id: int
    channel: str
    address: str
    solectwa: tuple[str, ...]
    state: str
    consent_how: str
    consent_at: datetime | None
    consent_call_id: str
    consent_official: str
    consent_version: str
    unsubscribed_at: datetime | None
    unsubscribed_how: str

    def as_dict(self) -> dict[str, Any]:
        """JSON for the API."""
        return {
            "id": self.id, "channel": self.channel,
            "channel_label": SUBSCRIPTION_CHANNELS.get(self.channel, self.channel),
            "address": self.address, "solectwa": list(self.solectwa), "state": self.state,
            "state_label": SUBSCRIPTION_STATES.get(self.state, self.state),
            "consent_how": self.consent_how,
            "consent_how_label": CONSENT_WAYS.get(self.consent_how, self.consent_how),
            "consent_at": self.consent_at.isoformat() if self.consent_at else None,
            "consent_call_id": self.consent_call_id, "consent_official": self.consent_official,
            "consent_version": self.consent_version,
            "unsubscribed_at": self.unsubscribed_at.isoformat() if self.unsubscribed_at else None,
            "unsubscribed_how": self.unsubscribed_how,
        }  # fmt: skip


@dataclass(frozen=True)
class PhoneResult:
    """What a call did: ``subscribed``, ``unsubscribed``, ``not_subscribed`` (nothing to
    end) or ``bad_number`` (no number we can call), and the channels it touched."""

    result: str
    channels: tuple[str, ...] = ()


@dataclass
class Subscriptions:
    """Subscriptions over ``store``; codes and links go out through ``notify``. ``key``
    signs codes and unsubscribe links; ``base`` is the portal's public address."""

    store: Store
    notify: NotifyService
    key: bytes
    base: str
    office: str
    consent_text: str
    consent_version: str
    solectwa: tuple[str, ...] = ()
    code_minutes: int = 30
    code_attempts: int = 5
    now: Callable[[], datetime] = field(default=utcnow)

    @property
    def keys(self) -> UnsubscribeKeys:
        """The signer of the one-click unsubscribe links."""
        return UnsubscribeKeys(self.key)

    def check(self, channel: str, address: str, solectwa: Sequence[str] = ()) -> str:
        """The address as stored for ``channel``, or ``InvalidWarning`` naming every wrong
        field at once."""
        wrong: dict[str, str] = {}
        stored = ""
        if channel not in SUBSCRIPTION_CHANNELS:
            wrong["kanal"] = "Wybierz sposób powiadamiania: e-mail, SMS albo połączenie."
        elif channel == "email":
            try:
                stored = normal_address(address)
            except Exception:
                wrong["adres"] = "Podaj poprawny adres e-mail, np. jan@przyklad.pl."
        else:
            stored = national_number(address) or ""
            if not stored:
                wrong["adres"] = "Podaj polski numer telefonu: 9 cyfr, np. 500 100 200."
            elif channel == "sms" and not is_mobile(stored):
                wrong["adres"] = "SMS-y wysyłamy tylko na numery komórkowe."
        if any(s not in self.solectwa for s in solectwa):
            wrong["solectwa"] = "Wybierz sołectwa z listy (żadne: cała gmina)."
        if wrong:
            raise InvalidWarning(wrong)
        return stored

    async def request(self, channel: str, address: str, solectwa: Sequence[str]) -> None:
        """A portal request to subscribe (or change the sołectwa of a subscription): the
        code (SMS, voice) or link (e-mail) is sent; nothing counts until it is confirmed.
        An active subscription keeps its sołectwa until then."""
        stored = self.check(channel, address, solectwa)
        now = self.now()

        def work(session: Session) -> tuple[int, int]:
            row = _find(session, channel, stored)
            if row is None:
                row = WarningSubscription(channel=channel, address=stored, state="pending",
                                          created_at=now, generation=0)  # fmt: skip
                session.add(row)
            elif row.state == "unsubscribed":
                row.state = "pending"
            row.pending_solectwa = dump_list(solectwa)
            session.flush()
            row.generation += 1
            return row.id, row.generation

        sub_id, generation = await self.store.run(work)
        await self._send_code(sub_id, generation, channel, stored, "subscribe")

    async def request_unsubscribe(self, channel: str, address: str) -> None:
        """A portal request to unsubscribe: a code goes to an active subscription's address
        (none to an address that is not subscribed; the page says the same)."""
        stored = self.check(channel, address)

        def work(session: Session) -> tuple[int, int] | None:
            row = _find(session, channel, stored)
            if row is None or row.state != "active":
                return None
            row.generation += 1
            return row.id, row.generation

        found = await self.store.run(work)
        if found is not None:
            await self._send_code(found[0], found[1], channel, stored, "unsubscribe")

    async def confirm_code(self, channel: str, address: str, code: str) -> str:
        """Apply the request the code was sent for; returns ``subscribe`` or
        ``unsubscribe``. A wrong code counts; after ``code_attempts`` the code is void."""
        stored = self.check(channel, address)
        code = "".join(code.split())[:20]
        now = self.now()

        def work(session: Session) -> str:
            row = _find(session, channel, stored, lock=True)
            if row is None or not row.code_hash or not link_usable(row.code_expires_at, now):
                return ""
            if not code_matches(self.key, row.id, code, row.code_hash):
                row.code_tries += 1
                if row.code_tries >= self.code_attempts:
                    _clear_code(row)
                return ""
            return self._apply(row, row.code_purpose, now)

        done = await self.store.run(work)
        if not done:
            raise CodeRefused()
        return done

    async def check_link(self, token: str) -> bool:
        """Whether ``token`` is an e-mail confirmation link that can still be used."""
        now = self.now()

        def read(session: Session) -> bool:
            return _by_link(session, token, now) is not None

        return await self.store.run(read)

    async def confirm_link(self, token: str) -> str:
        """Apply the request behind an e-mail link (once); ``LinkExpired`` otherwise."""
        now = self.now()

        def work(session: Session) -> str:
            row = _by_link(session, token, now)
            if row is None:
                raise LinkExpired()
            return self._apply(row, row.code_purpose, now)

        return await self.store.run(work)

    def unsubscribe_token(self, subscription_id: int, generation: int, address: str) -> str:
        """The token of a subscription's one-click unsubscribe link."""
        return self.keys.token(subscription_id, generation, address)

    def unsubscribe_link(self, subscription_id: int, generation: int, address: str) -> str:
        """The one-click unsubscribe link an e-mail carries."""
        token = self.unsubscribe_token(subscription_id, generation, address)
        return f"{self.base.rstrip('/')}/e-urzad/ostrzezenia/wypisz/{token}"

    async def unsubscribe_link_for(self, recipient: str) -> str:
        """The one-click unsubscribe link for a warning e-mail's recipient reference
        (``subscription:<id>`` of an e-mail subscription); '' for any other reference. The
        notify store keeps one text per batch, so the e-mail sender adds this per letter."""
        kind, _, ident = recipient.partition(":")
        if kind != "subscription" or not (ident.isascii() and ident.isdigit()):
            return ""

        def read(session: Session) -> str:
            row = session.get(WarningSubscription, int(ident))
            if row is None or row.channel != "email":
                return ""
            return self.unsubscribe_link(row.id, 0, row.address)

        return await self.store.run(read)

    async def check_unsubscribe(self, token: str) -> bool:
        """Whether ``token`` is a well-signed unsubscribe link of a subscription on record."""

        def read(session: Session) -> bool:
            return self._signed(session, token) is not None

        return await self.store.run(read)

    async def unsubscribe_by_link(self, token: str) -> None:
        """Unsubscribe at once by the one-click link (again: no change)."""
        now = self.now()

        def work(session: Session) -> None:
            row = self._signed(session, token)
            if row is None:
                raise LinkExpired("Ten link wypisania jest nieprawidłowy.")
            if row.state == "active":
                _end(row, "link", now)

        await self.store.run(work)

    async def at_desk(
        self, actor: Actor, channel: str, address: str, solectwa: Sequence[str]
    ) -> SubscriptionView:
        """The front desk: an official records the resident's consent (the consent text was
        read out to them), the subscription is active at once."""
        _desk_only(actor)
        stored = self.check(channel, address, solectwa)
        now = self.now()

        def work(session: Session) -> SubscriptionView:
            row = self._activate(session, channel, stored, solectwa, now, "desk")
            row.consent_official = actor.username[:64]
            session.flush()
            return _view(row)

        return await self.store.run(work)

    async def end_at_desk(self, actor: Actor, subscription_id: int) -> SubscriptionView:
        """The front desk: the resident asked to unsubscribe."""
        _desk_only(actor)
        now = self.now()

        def work(session: Session) -> SubscriptionView:
            row = session.get(WarningSubscription, subscription_id, with_for_update=True)
            if row is None:
                raise InvalidWarning({"id": "Nie ma takiej subskrypcji."})
            if row.state != "unsubscribed":
                _end(row, "desk", now)
            return _view(row)

        return await self.store.run(work)

    async def listing(self, actor: Actor, address: str = "") -> list[SubscriptionView]:
        """Subscriptions for the desk, optionally of one number or address (staff only)."""
        _desk_only(actor)
        wanted = {national_number(address) or "", address.strip().lower()} - {""}

        def read(session: Session) -> list[SubscriptionView]:
            query = select(WarningSubscription).order_by(WarningSubscription.id.desc())
            if wanted:
                query = query.where(WarningSubscription.address.in_(wanted))
            return [_view(row) for row in session.scalars(query.limit(500))]

        return await self.store.run(read)

    async def by_phone(self, caller: str, call_id: str, area: str) -> PhoneResult:
        """A caller pressed 1 in the phone menu (consent, recorded with the call): their
        number subscribes for calls, and for SMS too when it is a mobile. ``area`` is the key
        they chose: ``1``-``9`` a sołectwo by its place on the list, anything else the whole
        gmina."""
        number = national_number(caller)
        if number is None:
            return PhoneResult("bad_number")
        index = int(area) - 1 if area.isascii() and area.isdigit() and area != "0" else -1
        places = (self.solectwa[index],) if 0 <= index < len(self.solectwa) else ()
        channels = ("voice", "sms") if is_mobile(number) else ("voice",)
        now = self.now()

        def work(session: Session) -> None:
            for channel in channels:
                row = self._activate(session, channel, number, places, now, "phone")
                row.consent_call_id = call_id[:64]

        await self.store.run(work)
        return PhoneResult("subscribed", channels)

    async def end_by_phone(self, caller: str) -> PhoneResult:
        """A caller pressed 2: every subscription of their number ends."""
        number = national_number(caller)
        if number is None:
            return PhoneResult("bad_number")
        now = self.now()

        def work(session: Session) -> tuple[str, ...]:
            rows = session.scalars(
                select(WarningSubscription).where(WarningSubscription.address == number,
                                                  WarningSubscription.state != "unsubscribed")
            ).all()  # fmt: skip
            for row in rows:
                _end(row, "phone", now)
            return tuple(row.channel for row in rows)

        ended = await self.store.run(work)
        return PhoneResult("unsubscribed" if ended else "not_subscribed", ended)

    async def purge(self) -> int:
        """Delete requests never confirmed whose code or link has expired (a number or
        address nobody confirmed is not kept); returns how many."""
        now = self.now()

        def work(session: Session) -> int:
            gone = session.execute(
                delete(WarningSubscription).where(
                    WarningSubscription.state == "pending",
                    WarningSubscription.consent_at.is_(None),
                    or_(WarningSubscription.code_expires_at.is_(None),
                        WarningSubscription.code_expires_at < now),
                )
            )  # fmt: skip
            return int(getattr(gone, "rowcount", 0) or 0)

        return await self.store.run(work)

    def _activate(
        self, session: Session, channel: str, address: str, solectwa: Sequence[str],
        now: datetime, how: str,
    ) -> WarningSubscription:  # fmt: skip
        row = _find(session, channel, address, lock=True)
        if row is None:
            row = WarningSubscription(channel=channel, address=address, created_at=now,
                                      generation=0)  # fmt: skip
            session.add(row)
        row.state, row.solectwa, row.pending_solectwa = "active", dump_list(solectwa), "[]"
        row.consent_how, row.consent_at = how, now
        row.consent_text, row.consent_version = self.consent_text, self.consent_version
        row.consent_call_id = row.consent_official = ""
        row.unsubscribed_at, row.unsubscribed_how = None, ""
        _clear_code(row)
        return row

    def _apply(self, row: WarningSubscription, purpose: str, now: datetime) -> str:
        if purpose == "unsubscribe":
            _end(row, "portal", now)
        else:
            row.state, row.solectwa, row.pending_solectwa = "active", row.pending_solectwa, "[]"
            row.consent_how, row.consent_at = "portal", now
            row.consent_text, row.consent_version = self.consent_text, self.consent_version
            row.consent_call_id = row.consent_official = ""
            row.unsubscribed_at, row.unsubscribed_how = None, ""
        _clear_code(row)
        return purpose or "subscribe"

    def _signed(self, session: Session, token: str) -> WarningSubscription | None:
        named = self.keys.parse(token)
        if named is None:
            return None
        row = session.get(WarningSubscription, named[0])
        if row is None or row.channel != "email" or not self.keys.valid(token, row.address):
            return None
        return row

    async def _send_code(
        self, sub_id: int, generation: int, channel: str, address: str, purpose: str
    ) -> None:
        """Make a code (or link), keep its hash, queue it as batch ``verify:<id>.<n>``."""
        expires = self.now() + timedelta(minutes=self.code_minutes)
        if channel == "email":
            secret = new_token()
            stored = token_hash(secret)
            message = self._letter(sub_id, generation, address, secret, purpose)
        else:
            secret = new_code()
            stored = code_hash(self.key, sub_id, secret)
            message = self._code_message(channel, secret, purpose)

        def work(session: Session) -> None:
            row = session.get(WarningSubscription, sub_id, with_for_update=True)
            if row is not None:
                row.code_hash, row.code_purpose = stored, purpose
                row.code_expires_at, row.code_tries = expires, 0

        await self.store.run(work)
        recipient = Recipient(channel, address, f"subscription:{sub_id}")
        await self.notify.send(f"verify:{sub_id}.{generation}", message, [recipient])

    def _code_message(self, channel: str, code: str, purpose: str) -> Outgoing:
        what = "wypisania z ostrzeżeń" if purpose == "unsubscribe" else "zapisu na ostrzeżenia"
        minutes = self.code_minutes
        if channel == "voice":
            text = (f"{self.office}. Kod potwierdzenia {what}. {spoken_code(code)} "
                    f"Kod jest ważny {minutes} minut.")  # fmt: skip
        else:
            text = f"{self.office}: kod potwierdzenia {what}: {code}. Ważny {minutes} min."
        return Outgoing(text, subject=f"Kod potwierdzenia – {self.office}")

    def _letter(
        self, sub_id: int, generation: int, address: str, token: str, purpose: str
    ) -> Outgoing:
        base = self.base.rstrip("/")
        link = f"{base}/e-urzad/ostrzezenia/potwierdz/{token}"
        if purpose == "unsubscribe":
            ask = "Aby wypisać ten adres z ostrzeżeń, otwórz link:"
            subject = f"Potwierdź wypisanie z ostrzeżeń – {self.office}"
        else:
            ask = "Aby potwierdzić zapis na ostrzeżenia o zagrożeniach, otwórz link:"
            subject = f"Potwierdź zapis na ostrzeżenia – {self.office}"
        text = "\n\n".join((
            "Dzień dobry,",
            f"ktoś (zapewne Pan/Pani) poprosił na portalu o zmianę ostrzeżeń: {self.office}.",
            ask, link,
            f"Link jest ważny {self.code_minutes} min i można go użyć raz. Jeśli to nie Ty – "
            "zignoruj tę wiadomość: bez potwierdzenia nic się nie zmieni.",
            f"Treść zgody (wersja {self.consent_version}): {self.consent_text}",
            "Wypisanie jednym kliknięciem: "
            + self.unsubscribe_link(sub_id, 0, address),
            f"Z poważaniem\n{self.office}",
        ))  # fmt: skip
        return Outgoing(text, subject=subject)


def _find(
    session: Session, channel: str, address: str, lock: bool = False
) -> WarningSubscription | None:
    query = select(WarningSubscription).where(
        WarningSubscription.channel == channel, WarningSubscription.address == address
    )
    if lock:
        query = query.with_for_update()
    return session.scalar(query)


def _by_link(session: Session, token: str, now: datetime) -> WarningSubscription | None:
    if not token or len(token) > 100:
        return None
    row = session.scalar(select(WarningSubscription).where(
        WarningSubscription.channel == "email", WarningSubscription.code_hash == token_hash(token)
    ))  # fmt: skip
    return row if row is not None and link_usable(row.code_expires_at, now) else None


def _clear_code(row: WarningSubscription) -> None:
    row.code_hash, row.code_purpose, row.code_expires_at, row.code_tries = "", "", None, 0


def _end(row: WarningSubscription, how: str, now: datetime) -> None:
    row.state, row.unsubscribed_at, row.unsubscribed_how = "unsubscribed", now, how
    row.pending_solectwa = "[]"
    _clear_code(row)


def _desk_only(actor: Actor) -> None:
    if actor.role not in DESK:
        raise WarningForbidden("Zgody w urzędzie przyjmują konsultanci i kierownicy zmiany.")


def _view(row: WarningSubscription) -> SubscriptionView:
    return SubscriptionView(
        row.id, row.channel, row.address, tuple(load_list(row.solectwa)), row.state,
        row.consent_how, row.consent_at, row.consent_call_id, row.consent_official,
        row.consent_version, row.unsubscribed_at, row.unsubscribed_how,
    )  # fmt: skip
