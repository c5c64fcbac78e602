"""The responders' register: who may be sent, where they are based, how to reach them, when
they are on duty; and the proposals of "send the nearest available".

Who may do what is decided here, not only in the views: supervisors (and admins) keep the
register; agents, specialists and supervisors see it and ask for proposals; specialists and
supervisors (the officials on duty) also mark a responder busy or available.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from cic.auth.actor import Actor
from cic.callbacks.numbers import national_number
from cic.db import Store, utcnow
from cic.incidents.geo import inside
from cic.notify.service import Recipient
from cic.residents.emails import canonical_address
from cic.responders import calendar as duty
from cic.responders.errors import InvalidResponder, NotAllowed, OutsideArea, UnknownResponder
from cic.responders.models import NAME_LENGTH, Responder
from cic.responders.ranking import (
    AVAILABILITY,
    AVAILABILITY_LABELS,
    KIND_LABELS,
    KINDS,
    Candidate,
    rank,
)  # fmt: skip

KEEPERS = ("supervisor", "admin")
VIEWERS = ("agent", "specialist", "supervisor", "admin")
DISPATCHERS = ("specialist", "supervisor", "admin")
CHANNELS = ("sms", "voice", "email")
#: Poland's extent: the area when none is given.
POLAND = ((49.0, 14.1), (54.9, 24.2))


class PointLike(Protocol):
    """What the geocoder answers (``cic.addresses.service.Point``)."""

    @property
    def lat(self) -> float:
        """Latitude, degrees (WGS 84)."""
        ...

    @property
    def lon(self) -> float:
        """Longitude, degrees (WGS 84)."""
        ...

    @property
    def label(self) -> str:
        """The address as shown."""
        ...


class Geocoder(Protocol):
    """Turns a typed address into a point (``cic.addresses.service.AddressBook``)."""

    async def locate(self, text: str) -> PointLike | None:
        """The point, or ``None`` when the address is unknown."""
        ...


@dataclass(frozen=True)
class ResponderInput:
    """A responder as a form or the API gives it (checked by :meth:`ResponderService.save`)."""

    kind: str
    name: str
    lat: float | None = None
    lon: float | None = None
    address: str = ""
    phone: str = ""
    email: str = ""
    channels: Sequence[str] = ("sms", "voice")
    always_on: bool = False
    weekly: Any = None
    exceptions: Any = None
    availability: str = "dostepny"
    active: bool = True


@dataclass(frozen=True)
class Area:
    """The gmina (``safety.area``): ``[lat, lon]`` points, two a box's corners, three or more a
    polygon (the incidents' geometry, :mod:`cic.incidents.geo`)."""

    points: tuple[tuple[float, float], ...] = POLAND

    def check(self, lat: float, lon: float) -> None:
        """Raise :class:`OutsideArea` for a point outside the gmina (or not a point)."""
        if not inside(self.points, lat, lon):
            raise OutsideArea(
                f"Punkt ({lat:.5f}, {lon:.5f}) leży poza obszarem gminy (ustawienie"
                " safety.area). Sprawdź współrzędne albo adres."
            )


@dataclass
class ResponderService:
    """The register and the proposals; ``zone`` is the office's time zone (the calendars are
    in local time), ``now`` a clock (UTC)."""

    store: Store
    geocoder: Geocoder
    area: Area = field(default_factory=Area)
    zone: str = "Europe/Warsaw"
    now: Callable[[], datetime] = utcnow

    def local_now(self) -> datetime:
        """The office's local time now, naive (as the calendars are written)."""
        return self.now().astimezone(ZoneInfo(self.zone)).replace(tzinfo=None)

    async def registered(
        self, actor: Actor, *, with_inactive: bool = False
    ) -> list[dict[str, Any]]:
        """Every responder (the active ones unless asked) with "available now"."""
        _allow(actor, VIEWERS)
        at = self.local_now()

        def read(session: Session) -> list[dict[str, Any]]:
            query = select(Responder).order_by(Responder.kind, Responder.name, Responder.id)
            if not with_inactive:
                query = query.where(Responder.active.is_(True))
            return [view(r, at, full=actor.role in KEEPERS) for r in session.scalars(query)]

        return await self.store.run(read)

    async def get(self, actor: Actor, responder_id: int) -> dict[str, Any]:
        """One responder (404 if none)."""
        _allow(actor, VIEWERS)
        row = await self.store.run(lambda s: s.get(Responder, responder_id))
        if row is None:
            raise UnknownResponder()
        return view(row, self.local_now(), full=actor.role in KEEPERS)

    async def save(
        self, actor: Actor, given: ResponderInput, responder_id: int | None = None
    ) -> int:
        """Add a responder or change one; the base comes from ``lat``/``lon`` or from the
        address through the geocoder. Returns the id."""
        _allow(actor, KEEPERS)
        values = await self._checked(given)

        def write(session: Session) -> int:
            if responder_id is None:
                row = Responder(**values, updated_at=utcnow())
                session.add(row)
                session.flush()
                return row.id
            row_ = session.get(Responder, responder_id, with_for_update=True)
            if row_ is None:
                raise UnknownResponder()
            for name, value in values.items():
                setattr(row_, name, value)
            row_.updated_at = utcnow()
            return row_.id

        return await self.store.run(write)

    async def set_availability(
        self, actor: Actor, responder_id: int, availability: str
    ) -> dict[str, Any]:
        """Mark a responder available, busy or unavailable (the officials on duty do it when
        a responder calls in)."""
        _allow(actor, DISPATCHERS)
        if availability not in AVAILABILITY:
            raise InvalidResponder({"availability": "dostepny, zajety albo niedostepny"})
        await self.mark(responder_id, availability)
        return await self.get(actor, responder_id)

    async def mark(self, responder_id: int, availability: str) -> None:
        """Set the availability (no role check: the dispatches call it on a confirmation)."""

        def write(session: Session) -> None:
            row = session.get(Responder, responder_id, with_for_update=True)
            if row is None:
                raise UnknownResponder()
            row.availability, row.updated_at = availability, utcnow()

        await self.store.run(write)

    async def propose(
        self, actor: Actor, lat: float, lon: float, kinds: Sequence[str], limit: int = 10
    ) -> list[dict[str, Any]]:
        """The responders on duty now and available, of ``kinds`` (all when empty), nearest
        to the point first, with the distance in km."""
        _allow(actor, VIEWERS)
        self.area.check(lat, lon)
        unknown = [k for k in kinds if k not in KINDS]
        if unknown:
            raise InvalidResponder(
                {"kinds": f"nieznany rodzaj „{unknown[0][:20]}” ({', '.join(KINDS)})"}
            )
        at = self.local_now()
        rows = await self.store.run(
            lambda s: list(s.scalars(select(Responder).where(Responder.active.is_(True))))
        )
        by_id = {r.id: r for r in rows}
        ranked = rank((candidate(r) for r in rows), lat, lon, kinds, at, limit)
        return [{**view(by_id[r.candidate.id], at, full=False), "km": r.km} for r in ranked]

    async def responder(self, responder_id: int) -> Responder:
        """The row (for the dispatches; 404 if none)."""
        row = await self.store.run(lambda s: s.get(Responder, responder_id))
        if row is None:
            raise UnknownResponder()
        return row

    async def _checked(self, given: ResponderInput) -> dict[str, Any]:
        wrong: dict[str, str] = {}
        name = " ".join(given.name.split())
        if not name or len(name) > NAME_LENGTH or not name.isprintable():
            wrong["name"] = f"od 1 do {NAME_LENGTH} znaków"
        if given.kind not in KINDS:
            wrong["kind"] = f"jeden z: {', '.join(KINDS)}"
        if given.availability not in AVAILABILITY:
            wrong["availability"] = "dostepny, zajety albo niedostepny"
        phone = national_number(given.phone) if given.phone.strip() else ""
        if phone is None:
            wrong["phone"] = "numer telefonu w Polsce, 9 cyfr (np. 500 100 200)"
        email = canonical_address(given.email.strip()) if given.email.strip() else ""
        if email is None:
            wrong["email"] = "adres e-mail, np. soltys@example.pl"
        channels = list(dict.fromkeys(given.channels))
        if not channels or any(c not in CHANNELS for c in channels):
            wrong["channels"] = "co najmniej jeden z: sms, voice, email"
        elif any(c in ("sms", "voice") for c in channels) and not phone:
            wrong.setdefault("phone", "potrzebny do SMS i połączeń")
        elif "email" in channels and not email:
            wrong.setdefault("email", "potrzebny do powiadomień e-mail")
        address = " ".join(given.address.split())
        if len(address) > 200 or not address.isprintable():
            wrong["address"] = "najwyżej 200 znaków"
        try:
            weekly = duty.checked_weekly(given.weekly)
            exceptions = duty.exceptions_json(duty.checked_exceptions(given.exceptions))
        except duty.CalendarError as exc:
            wrong["calendar"] = str(exc)
            weekly, exceptions = {}, []
        lat, lon = given.lat, given.lon
        if "address" not in wrong and (lat is None or lon is None):
            point = await self.geocoder.locate(address) if address else None
            if point is None:
                wrong["address"] = (
                    "nie znaleziono adresu w ewidencji; podaj np. „Lipowa 5, Dębówka” albo"
                    " współrzędne"
                )
            else:
                lat, lon, address = point.lat, point.lon, address or point.label
        if wrong:
            raise InvalidResponder(wrong)
        assert lat is not None and lon is not None
        self.area.check(lat, lon)
        return {
            "kind": given.kind, "name": name, "lat": lat, "lon": lon, "address": address,
            "phone": phone or "", "email": email or "", "channels": ",".join(channels),
            "always_on": given.always_on, "weekly": weekly, "exceptions": exceptions,
            "availability": given.availability, "active": given.active,
        }  # fmt: skip


def _allow(actor: Actor, roles: tuple[str, ...]) -> None:
    if actor.role not in roles:
        raise NotAllowed()


def calendar_of(row: Responder) -> duty.Calendar:
    """The row's calendar (stored JSON, checked when it was saved)."""
    return duty.Calendar(
        bool(row.always_on),
        dict(row.weekly or {}),
        duty.checked_exceptions(list(row.exceptions or [])),
    )


def candidate(row: Responder) -> Candidate:
    """What ranking needs of a row."""
    return Candidate(row.id, row.name, row.kind, row.lat, row.lon, row.availability,
                     calendar_of(row), bool(row.active))  # fmt: skip


def recipients(row: Responder) -> list[Recipient]:
    """The responder's channels in their order, as notification recipients."""
    ref = f"responder:{row.id}"
    return [Recipient(c, row.email if c == "email" else row.phone, ref)
            for c in row.channels.split(",") if c]  # fmt: skip


def view(row: Responder, at_local: datetime, *, full: bool) -> dict[str, Any]:
    """A responder as JSON: the map layer's fields (id, name, kind, lat, lon, available now)
    for everyone; contact details and the calendar for those who keep the register."""
    on_duty = calendar_of(row).on_duty(at_local)
    out: dict[str, Any] = {
        "id": row.id, "name": row.name, "kind": row.kind,
        "kind_label": KIND_LABELS.get(row.kind, row.kind), "lat": row.lat, "lon": row.lon,
        "address": row.address, "availability": row.availability,
        "availability_label": AVAILABILITY_LABELS.get(row.availability, row.availability),
        "on_duty": on_duty,
        "available_now": bool(row.active) and row.availability == "dostepny" and on_duty,
        "active": bool(row.active),
    }  # fmt: skip
    if full:
        out |= {"phone": row.phone, "email": row.email, "channels": row.channels.split(","),
                "always_on": bool(row.always_on), "weekly": row.weekly or {},
                "exceptions": row.exceptions or []}  # fmt: skip
    return out
