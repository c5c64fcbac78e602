"""The incident register's rules: the threat catalogue, reporting an incident (location from
coordinates or an address, checked against the gmina's area; duplicates found), the status
workflow with its history, merging duplicates, links to calls and reports, photos.

Nothing here knows HTTP. Every method that reads or changes an incident takes the acting
:class:`Actor` and checks its role here (staff roles for incidents, supervisor and admin for
the catalogue); the portal reports through :meth:`IncidentService.create` as ``PORTAL``.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cic.channels.files import ChannelFiles
from cic.db import Store, utcnow
from cic.incidents import photos
from cic.incidents.duplicates import Candidate, near, window
from cic.incidents.errors import (
    AddressNotFound,
    BadMerge,
    BadTransition,
    CategoryForbidden,
    CategoryInvalid,
    CategoryNotFound,
    IncidentError,
    IncidentHidden,
    IncidentNotFound,
    NoLocation,
    OutsideArea,
)
from cic.incidents.geo import Area, inside, valid_point
from cic.incidents.geocoder import Geocoder
from cic.incidents.models import Incident, IncidentEvent, IncidentLink, ThreatCategory
from cic.incidents.workflow import MERGED, PRIORITIES, STATUSES, can_move, is_open

STAFF = ("agent", "specialist", "supervisor", "admin")
CATALOGUE_EDITORS = ("supervisor", "admin")
LINK_KINDS = {"call": "rozmowa", "report": "zgłoszenie kontaktowe"}


@dataclass(frozen=True)
class Actor:
    """Who acts: a username and a role (``portal`` for a resident on the portal)."""

    username: str
    role: str


PORTAL = Actor("portal", "portal")


@dataclass(frozen=True)
class Category:
    """A threat category as pages and the API show it."""

    id: int
    slug: str
    name: str
    instructions: str
    notify: tuple[str, ...]
    priority: str
    position: int
    active: bool


@dataclass(frozen=True)
class CategoryDraft:
    """A category to create or change (checked by the API's schema)."""

    slug: str
    name: str
    instructions: str
    notify: tuple[str, ...]
    priority: str
    active: bool = True
    position: int = 0


@dataclass(frozen=True)
class NewIncident:
    """A report: the category by slug, the place as coordinates or an address (or both),
    the reporter's optional contact, and the call or contact report it came with."""

    category: str
    title: str
    source: str
    description: str = ""
    lat: float | None = None
    lon: float | None = None
    address: str = ""
    solectwo: str = ""
    priority: str = ""
    reporter_name: str = ""
    reporter_phone: str = ""
    call_id: str = ""
    report_id: int | None = None


@dataclass(frozen=True)
class Event:
    """One line of an incident's history."""

    at: datetime
    actor: str
    kind: str
    detail: str


@dataclass(frozen=True)
class Link:
    """A call or contact report about an incident."""

    kind: str
    ref: str
    added_by: str
    added_at: datetime


@dataclass(frozen=True)
class IncidentView:
    """An incident as staff see it (``events`` and ``links`` only when read one by one)."""

    id: int
    category: str
    category_name: str
    title: str
    description: str
    lat: float
    lon: float
    address: str
    solectwo: str
    priority: str
    status: str
    source: str
    reporter_name: str
    reporter_phone: str
    has_photo: bool
    merged_into: int | None
    created_at: datetime
    updated_at: datetime
    events: tuple[Event, ...] = ()
    links: tuple[Link, ...] = ()

    @property
    def status_label(self) -> str:
        """The status in Polish."""
        return STATUSES.get(self.status, self.status)


@dataclass(frozen=True)
class Created:
    """A new incident and the open incidents near it that may be the same (nearest first,
    with their distance in metres)."""

    incident: IncidentView
    duplicates: tuple[tuple[IncidentView, float], ...]


@dataclass(frozen=True)
class Filters:
    """What the map and the list show: categories by slug, statuses (empty: all), creation
    time from and to (UTC, either open)."""

    categories: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 1000


@dataclass
class IncidentService:
    """The rules over ``store``: ``area`` is the gmina (``safety.area``), ``geocoder`` turns
    an address into a point (None: coordinates only), duplicates are open incidents of the
    same category within ``duplicate_metres`` and ``duplicate_hours``; photos go to the
    private ``files`` store, at most ``photo_max_bytes``."""

    store: Store
    area: Area
    files: ChannelFiles
    geocoder: Geocoder | None = None
    duplicate_metres: float = 150
    duplicate_hours: int = 48
    photo_max_bytes: int = 8 * 1024 * 1024
    now: Callable[[], datetime] = field(default=utcnow)

    # -- the catalogue ------------------------------------------------------------------

    async def categories(self, *, all_of_them: bool = False) -> list[Category]:
        """The categories in their order (only the active ones unless ``all_of_them``)."""

        def work(session: Session) -> list[Category]:
            query = select(ThreatCategory).order_by(ThreatCategory.position, ThreatCategory.id)
            if not all_of_them:
                query = query.where(ThreatCategory.active.is_(True))
            return [_category(row) for row in session.scalars(query)]

        return await self.store.run(work)

    async def save_category(
        self, actor: Actor, draft: CategoryDraft, category_id: int | None = None
    ) -> Category:
        """Create a category or change one (supervisor and admin only)."""
        if actor.role not in CATALOGUE_EDITORS:
            raise CategoryForbidden()
        if draft.priority not in PRIORITIES:
            raise CategoryInvalid(f"Priorytet: dozwolone {', '.join(PRIORITIES)}.")

        def work(session: Session) -> Category:
            clash = session.scalar(
                select(ThreatCategory.id).where(ThreatCategory.slug == draft.slug)
            )
            if clash is not None and clash != category_id:
                raise CategoryInvalid(f"Kategoria o adresie „{draft.slug}” już istnieje.")
            if category_id is None:
                row = ThreatCategory(slug=draft.slug)
                session.add(row)
            else:
                found = session.get(ThreatCategory, category_id)
                if found is None:
                    raise CategoryNotFound()
                row = found
            row.slug, row.name, row.instructions = draft.slug, draft.name, draft.instructions
            row.notify, row.priority = json.dumps(list(draft.notify)), draft.priority
            row.active, row.position = draft.active, draft.position
            session.flush()
            return _category(row)

        try:
            return await self.store.run(work)
        except IntegrityError:
            raise CategoryInvalid(f"Kategoria o adresie „{draft.slug}” już istnieje.") from None

    # -- reporting ----------------------------------------------------------------------

    async def locate(
        self, lat: float | None, lon: float | None, address: str
    ) -> tuple[float, float, str, str]:
        """The point of a report: its coordinates, else its address through the geocoder;
        ``(lat, lon, address, sołectwo found)``. Refused outside the gmina's area."""
        solectwo = ""
        if lat is not None and lon is not None:
            if not valid_point(lat, lon):
                raise OutsideArea(
                    "Współrzędne są niepoprawne: szerokość od -90 do 90, długość od -180 do 180."
                )
        elif lat is not None or lon is not None:
            raise NoLocation("Podaj obie współrzędne: szerokość i długość geograficzną.")
        elif address.strip():
            point = await self.geocoder.locate(address) if self.geocoder is not None else None
            if point is None:
                raise AddressNotFound()
            lat, lon, solectwo = point.lat, point.lon, point.solectwo[:200]
            address = (point.label or address)[:300]
        else:
            raise NoLocation()
        if not inside(self.area, lat, lon):
            raise OutsideArea()
        return lat, lon, address.strip(), solectwo

    async def create(self, actor: Actor, new: NewIncident, photo: bytes | None = None) -> Created:
        """Register an incident (history: created; links: its call or report) and find the
        open incidents near it that may be the same."""
        if actor is not PORTAL:
            _staff(actor)
        if new.source not in ("telefon", "portal", "personel"):
            raise IncidentError("Źródło zgłoszenia: telefon, portal albo personel.")
        if new.priority and new.priority not in PRIORITIES:
            raise IncidentError(f"Priorytet: dozwolone {', '.join(PRIORITIES)}.")
        lat, lon, address, found_solectwo = await self.locate(new.lat, new.lon, new.address)
        stored_photo, photo_type = "", ""
        if photo is not None:
            cleaned, photo_type = await asyncio.to_thread(photos.clean, photo, self.photo_max_bytes)
            stored_photo = await asyncio.to_thread(self.files.put, cleaned)
        now = self.now()
        since = window(now, self.duplicate_hours)

        def work(session: Session) -> tuple[int, list[tuple[int, float]]]:
            category = session.scalar(
                select(ThreatCategory).where(
                    ThreatCategory.slug == new.category, ThreatCategory.active.is_(True)
                )
            )
            if category is None:
                raise CategoryNotFound()
            row = Incident(
                category_id=category.id, title=new.title.strip(),
                description=new.description.strip(), lat=lat, lon=lon, address=address,
                solectwo=new.solectwo.strip() or found_solectwo,
                priority=new.priority or category.priority, status="zgloszone",
                source=new.source, reporter_name=new.reporter_name.strip(),
                reporter_phone=new.reporter_phone.strip(), photo_sha256=stored_photo,
                photo_type=photo_type, created_by=actor.username, created_at=now,
                updated_at=now,
            )  # fmt: skip
            session.add(row)
            session.flush()
            _event(session, row.id, actor, "utworzone",
                   f"Zgłoszone ({new.source}): {category.name}.", now)  # fmt: skip
            if new.call_id:
                _link(session, row.id, "call", new.call_id, actor, now)
            if new.report_id is not None:
                _link(session, row.id, "report", str(new.report_id), actor, now)
            candidates = session.execute(
                select(Incident.id, Incident.category_id, Incident.lat, Incident.lon,
                       Incident.status, Incident.created_at)
                .where(Incident.category_id == category.id, Incident.created_at >= since,
                       Incident.id != row.id)
            ).all()  # fmt: skip
            pairs = near(
                (Candidate(*c) for c in candidates), category.id, lat, lon,
                metres=self.duplicate_metres, since=since, exclude=row.id,
            )  # fmt: skip
            return row.id, pairs

        incident_id, pairs = await self.store.run(work)
        shown = {view.id: view for view in await self._views([i for i, _ in pairs])}
        duplicates = tuple((shown[i], d) for i, d in pairs if i in shown)
        return Created(await self._one(incident_id), duplicates)

    # -- reading ------------------------------------------------------------------------

    async def get(self, actor: Actor, incident_id: int) -> IncidentView:
        """One incident with its history and links."""
        _staff(actor)
        return await self._one(incident_id)

    async def listing(self, actor: Actor, filters: Filters) -> list[IncidentView]:
        """Incidents matching ``filters``, the newest first."""
        _staff(actor)

        def work(session: Session) -> list[IncidentView]:
            query = (
                select(Incident, ThreatCategory)
                .join(ThreatCategory, ThreatCategory.id == Incident.category_id)
                .order_by(Incident.created_at.desc(), Incident.id.desc())
                .limit(filters.limit)
            )
            if filters.categories:
                query = query.where(ThreatCategory.slug.in_(filters.categories))
            if filters.statuses:
                query = query.where(Incident.status.in_(filters.statuses))
            if filters.since is not None:
                query = query.where(Incident.created_at >= filters.since)
            if filters.until is not None:
                query = query.where(Incident.created_at <= filters.until)
            return [_view(i, c) for i, c in session.execute(query)]

        return await self.store.run(work)

    async def photo(self, actor: Actor, incident_id: int) -> tuple[bytes, str]:
        """The incident's photo and its media type (staff only)."""
        found = await self.get(actor, incident_id)

        def work(session: Session) -> tuple[str, str]:
            row = session.get(Incident, found.id)
            return (row.photo_sha256, row.photo_type) if row else ("", "")

        digest, media_type = await self.store.run(work)
        if not digest:
            raise IncidentNotFound("To zgłoszenie nie ma zdjęcia.")
        try:
            return await asyncio.to_thread(self.files.get, digest), media_type
        except FileNotFoundError:
            raise IncidentNotFound("Zdjęcie tego zgłoszenia nie jest dostępne.") from None

    # -- changes ------------------------------------------------------------------------

    async def change(
        self, actor: Actor, incident_id: int, *, status: str = "", priority: str = "",
        note: str = "",
    ) -> IncidentView:  # fmt: skip
        """Set the status (as the workflow allows) and/or the priority; a note alone is
        written to the history."""
        _staff(actor)
        if status == MERGED:
            raise BadTransition("Stan „połączone” nadaje tylko połączenie zgłoszeń.")
        if status and status not in STATUSES:
            raise IncidentError(f"Stan: dozwolone {', '.join(STATUSES)}.")
        if priority and priority not in PRIORITIES:
            raise IncidentError(f"Priorytet: dozwolone {', '.join(PRIORITIES)}.")
        now = self.now()

        def work(session: Session) -> None:
            row = _row(session, incident_id)
            if status and status != row.status:
                if not can_move(row.status, status):
                    raise BadTransition(
                        f"Zgłoszenia w stanie „{STATUSES[row.status]}” nie można przenieść"
                        f" do stanu „{STATUSES[status]}”."
                    )
                _event(session, row.id, actor, "stan",
                       f"{STATUSES[row.status]} → {STATUSES[status]}", now)  # fmt: skip
                row.status = status
            if priority and priority != row.priority:
                _event(session, row.id, actor, "priorytet",
                       f"{PRIORITIES[row.priority]} → {PRIORITIES[priority]}", now)  # fmt: skip
                row.priority = priority
            if note.strip():
                _event(session, row.id, actor, "notatka", note.strip(), now)
            row.updated_at = now

        await self.store.run(work)
        return await self._one(incident_id)

    async def merge(self, actor: Actor, duplicate_id: int, main_id: int) -> IncidentView:
        """Merge ``duplicate_id`` into ``main_id``: its links move to the main incident (each
        once), its history is copied there, and it becomes ``polaczone``."""
        _staff(actor)
        if duplicate_id == main_id:
            raise BadMerge("Nie można połączyć zgłoszenia z nim samym.")
        now = self.now()

        def work(session: Session) -> None:
            duplicate, main = _row(session, duplicate_id), _row(session, main_id)
            if duplicate.status == MERGED or main.status == MERGED:
                raise BadMerge("Zgłoszenie już połączone z innym nie może być częścią połączenia.")
            if not is_open(main.status):
                raise BadMerge("Główne zgłoszenie jest zamknięte: otwórz je ponownie.")
            have = set(session.execute(
                select(IncidentLink.kind, IncidentLink.ref)
                .where(IncidentLink.incident_id == main.id)
            ))  # fmt: skip
            for link in session.scalars(
                select(IncidentLink).where(IncidentLink.incident_id == duplicate.id)
            ).all():
                if (link.kind, link.ref) in have:
                    session.delete(link)
                else:
                    link.incident_id = main.id
            session.flush()
            for old in session.scalars(
                select(IncidentEvent).where(IncidentEvent.incident_id == duplicate.id)
                .order_by(IncidentEvent.id)
            ).all():  # fmt: skip
                session.add(IncidentEvent(
                    incident_id=main.id, at=old.at, actor=old.actor, kind=old.kind,
                    detail=f"[z nr {duplicate.id}] {old.detail}",
                ))  # fmt: skip
            _event(session, main.id, actor, "polaczenie",
                   f"Dołączono zgłoszenie nr {duplicate.id} ({duplicate.title}).", now)  # fmt: skip
            _event(session, duplicate.id, actor, "polaczenie",
                   f"Połączone ze zgłoszeniem nr {main.id}.", now)  # fmt: skip
            if not main.reporter_phone and duplicate.reporter_phone:
                main.reporter_name = main.reporter_name or duplicate.reporter_name
                main.reporter_phone = duplicate.reporter_phone
            if not main.photo_sha256 and duplicate.photo_sha256:
                main.photo_sha256, main.photo_type = duplicate.photo_sha256, duplicate.photo_type
            duplicate.status, duplicate.merged_into = MERGED, main.id
            duplicate.updated_at = main.updated_at = now

        await self.store.run(work)
        return await self._one(main_id)

    async def link(self, actor: Actor, incident_id: int, kind: str, ref: str) -> IncidentView:
        """Link a call (``call``: its id) or a contact report (``report``: its number); a link
        already there is kept once. Staff, or ``PORTAL`` linking its own report's contact
        report."""
        if actor is not PORTAL:
            _staff(actor)
        if kind not in LINK_KINDS:
            raise IncidentError("Rodzaj powiązania: call (rozmowa) albo report (zgłoszenie).")
        ref = ref.strip()
        if not ref or len(ref) > 64 or not ref.isprintable():
            raise IncidentError("Identyfikator rozmowy lub zgłoszenia: 1–64 znaki.")
        now = self.now()

        def work(session: Session) -> None:
            row = _row(session, incident_id)
            _link(session, row.id, kind, ref, actor, now)
            row.updated_at = now

        await self.store.run(work)
        return await self._one(incident_id)

    async def for_call(self, actor: Actor, call_id: str) -> list[IncidentView]:
        """The incidents linked to a call."""
        _staff(actor)

        def work(session: Session) -> list[int]:
            return list(session.scalars(
                select(IncidentLink.incident_id)
                .where(IncidentLink.kind == "call", IncidentLink.ref == call_id)
            ))  # fmt: skip

        return await self._views(await self.store.run(work))

    # -- helpers ------------------------------------------------------------------------

    async def _one(self, incident_id: int) -> IncidentView:
        def work(session: Session) -> IncidentView:
            row = _row(session, incident_id)
            category = session.get(ThreatCategory, row.category_id)
            assert category is not None  # a RESTRICT foreign key
            events = tuple(
                Event(e.at, e.actor, e.kind, e.detail)
                for e in session.scalars(
                    select(IncidentEvent).where(IncidentEvent.incident_id == row.id)
                    .order_by(IncidentEvent.at, IncidentEvent.id)
                )
            )  # fmt: skip
            links = tuple(
                Link(link.kind, link.ref, link.added_by, link.added_at)
                for link in session.scalars(
                    select(IncidentLink).where(IncidentLink.incident_id == row.id)
                    .order_by(IncidentLink.id)
                )
            )  # fmt: skip
            return _view(row, category, events, links)

        return await self.store.run(work)

    async def _views(self, ids: Sequence[int]) -> list[IncidentView]:
        if not ids:
            return []

        def work(session: Session) -> list[IncidentView]:
            rows = session.execute(
                select(Incident, ThreatCategory)
                .join(ThreatCategory, ThreatCategory.id == Incident.category_id)
                .where(Incident.id.in_(ids))
            )  # fmt: skip
            return [_view(i, c) for i, c in rows]

        return await self.store.run(work)


def _staff(actor: Actor) -> None:
    if actor.role not in STAFF:
        raise IncidentHidden()


def _row(session: Session, incident_id: int) -> Incident:
    row = session.get(Incident, incident_id)
    if row is None:
        raise IncidentNotFound()
    return row


def _event(
    session: Session, incident_id: int, actor: Actor, kind: str, detail: str, at: datetime
) -> None:
    session.add(IncidentEvent(
        incident_id=incident_id, at=at, actor=actor.username, kind=kind, detail=detail,
    ))  # fmt: skip


def _link(
    session: Session, incident_id: int, kind: str, ref: str, actor: Actor, at: datetime
) -> None:
    there = session.scalar(
        select(IncidentLink.id).where(
            IncidentLink.incident_id == incident_id, IncidentLink.kind == kind,
            IncidentLink.ref == ref,
        )
    )  # fmt: skip
    if there is not None:
        return
    session.add(IncidentLink(
        incident_id=incident_id, kind=kind, ref=ref, added_by=actor.username, added_at=at,
    ))  # fmt: skip
    _event(session, incident_id, actor, "powiazanie", f"Powiązano: {LINK_KINDS[kind]} {ref}.", at)


def _category(row: ThreatCategory) -> Category:
    notify = json.loads(row.notify or "[]")
    return Category(
        row.id, row.slug, row.name, row.instructions, tuple(str(n) for n in notify),
        row.priority, row.position, row.active,
    )  # fmt: skip


def _view(
    row: Incident, category: ThreatCategory, events: tuple[Event, ...] = (),
    links: tuple[Link, ...] = (),
) -> IncidentView:  # fmt: skip
    return IncidentView(
        id=row.id, category=category.slug, category_name=category.name, title=row.title,
        description=row.description, lat=row.lat, lon=row.lon, address=row.address,
        solectwo=row.solectwo, priority=row.priority, status=row.status, source=row.source,
        reporter_name=row.reporter_name, reporter_phone=row.reporter_phone,
        has_photo=bool(row.photo_sha256), merged_into=row.merged_into,
        created_at=row.created_at, updated_at=row.updated_at, events=events, links=links,
    )  # fmt: skip
