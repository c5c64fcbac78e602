"""What the incident API takes and gives, as typed schemas."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints
from typing_extensions import TypedDict

from cic.http.schemas import NOT_BLANK, Body, Exact, IsoDateTime, OneLine, Query
from cic.incidents.service import Category, CategoryDraft, IncidentView, NewIncident

Priority = Literal["niski", "sredni", "wysoki", "krytyczny"]
Status = Literal["zgloszone", "przyjete", "w_realizacji", "usuniete", "odrzucone"]
Short = Annotated[OneLine, StringConstraints(max_length=200)]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_-]{1,64}$")]
Responder = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_-]{1,32}$")]


class IncidentIn(Exact):
    """A new incident from the console or the staff page."""

    category: Slug = Field(title="Kategoria zagrożenia")
    title: Annotated[Short, NOT_BLANK] = Field(title="Tytuł")
    description: str = Field("", max_length=5000, title="Opis")
    lat: float | None = Field(None, ge=-90, le=90, title="Szerokość geograficzna")
    lon: float | None = Field(None, ge=-180, le=180, title="Długość geograficzna")
    address: Annotated[OneLine, StringConstraints(max_length=300)] = Field("", title="Adres")
    solectwo: Short = Field("", title="Sołectwo")
    priority: Priority | Literal[""] = Field("", title="Priorytet (puste: z kategorii)")
    source: Literal["telefon", "personel"] = Field("personel", title="Źródło")
    reporter_name: Short = Field("", title="Zgłaszający")
    reporter_phone: Annotated[OneLine, StringConstraints(max_length=40)] = Field(
        "", title="Telefon zgłaszającego"
    )
    call_id: Annotated[OneLine, StringConstraints(max_length=64)] = Field(
        "", title="Rozmowa (identyfikator)"
    )
    report_id: int | None = Field(None, ge=1, le=2**31 - 1, title="Zgłoszenie kontaktowe (nr)")

    def new(self) -> NewIncident:
        """The service's view of it."""
        return NewIncident(
            self.category, self.title, self.source, self.description, self.lat, self.lon,
            self.address, self.solectwo, self.priority, self.reporter_name,
            self.reporter_phone, self.call_id, self.report_id,
        )  # fmt: skip


class ChangeIn(Exact):
    """A change of status and/or priority, with an optional note for the history."""

    status: Status | Literal[""] = Field("", title="Stan")
    priority: Priority | Literal[""] = Field("", title="Priorytet")
    note: str = Field("", max_length=2000, title="Notatka")


class MergeIn(Exact):
    """Merge the incident in the path into ``into``."""

    into: int = Field(ge=1, le=2**31 - 1, title="Główne zgłoszenie (nr)")


class LinkIn(Exact):
    """Link a call or a contact report."""

    kind: Literal["call", "report"] = Field(title="Rodzaj")
    ref: Annotated[OneLine, StringConstraints(min_length=1, max_length=64)] = Field(
        title="Identyfikator"
    )


class CategoryIn(Body):
    """A threat category to create or change."""

    slug: Slug = Field(title="Adres kategorii")
    name: Annotated[OneLine, StringConstraints(max_length=120), NOT_BLANK] = Field(title="Nazwa")
    instructions: str = Field("", max_length=5000, title="Co robić")
    notify: list[Responder] = Field(default_factory=list, max_length=20, title="Kogo powiadomić")
    priority: Priority = Field("sredni", title="Domyślny priorytet")
    active: bool = Field(True, title="Aktywna")
    position: int = Field(0, ge=0, le=10_000, title="Kolejność")

    def draft(self) -> CategoryDraft:
        """The service's view of it."""
        return CategoryDraft(
            self.slug, self.name, self.instructions, tuple(self.notify), self.priority,
            self.active, self.position,
        )  # fmt: skip


class ListQuery(Query):
    """Filters of the list and the map."""

    kategoria: str = Field("", max_length=1000, title="Kategorie (adresy, po przecinku)")
    stan: str = Field("", max_length=200, title="Stany (po przecinku; 'otwarte': niezamknięte)")
    od: IsoDateTime = Field("", title="Zgłoszone od (ISO 8601; bez strefy: czas urzędu)")
    do: IsoDateTime = Field("", title="Zgłoszone do (ISO 8601; bez strefy: czas urzędu)")


class EventOut(TypedDict):
    """One line of the history."""

    at: str
    actor: str
    kind: str
    detail: str


class LinkOut(TypedDict):
    """A linked call or report."""

    kind: str
    ref: str
    added_by: str
    added_at: str


class IncidentOut(TypedDict):
    """An incident as staff see it."""

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
    status_label: str
    source: str
    reporter_name: str
    reporter_phone: str
    photo: str | None
    merged_into: int | None
    created_at: str
    updated_at: str
    path: str
    events: list[EventOut]
    links: list[LinkOut]


class DuplicateOut(TypedDict):
    """An open incident near a new one (maybe the same)."""

    incident: IncidentOut
    distance_m: float


class CreatedOut(TypedDict):
    """A new incident and its possible duplicates."""

    incident: IncidentOut
    duplicates: list[DuplicateOut]


class CategoryOut(TypedDict):
    """A threat category."""

    id: int
    slug: str
    name: str
    instructions: str
    notify: list[str]
    priority: str
    position: int
    active: bool


class LayerOut(TypedDict):
    """A layer of the safety map: its features come from ``url``."""

    id: str
    name: str
    url: str


def iso(value: datetime) -> str:
    """A time as ISO 8601."""
    return value.isoformat()


def incident_out(item: IncidentView) -> IncidentOut:
    """JSON of an incident."""
    return IncidentOut(
        id=item.id, category=item.category, category_name=item.category_name,
        title=item.title, description=item.description, lat=item.lat, lon=item.lon,
        address=item.address, solectwo=item.solectwo, priority=item.priority,
        status=item.status, status_label=item.status_label, source=item.source,
        reporter_name=item.reporter_name, reporter_phone=item.reporter_phone,
        photo=f"/api/zagrozenia/{item.id}/zdjecie" if item.has_photo else None,
        merged_into=item.merged_into, created_at=iso(item.created_at),
        updated_at=iso(item.updated_at), path=f"/bezpieczenstwo/zgloszenia/{item.id}",
        events=[EventOut(at=iso(e.at), actor=e.actor, kind=e.kind, detail=e.detail)
                for e in item.events],
        links=[LinkOut(kind=k.kind, ref=k.ref, added_by=k.added_by, added_at=iso(k.added_at))
               for k in item.links],
    )  # fmt: skip


def category_out(item: Category) -> CategoryOut:
    """JSON of a category."""
    return CategoryOut(
        id=item.id, slug=item.slug, name=item.name, instructions=item.instructions,
        notify=list(item.notify), priority=item.priority, position=item.position,
        active=item.active,
    )  # fmt: skip
