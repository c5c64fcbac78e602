"""What the responders' and dispatches' JSON API takes and gives, as typed schemas."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints
from typing_extensions import TypedDict

from cic.http.schemas import Body, Exact, OneLine
from cic.responders.dispatch import MAX_FIELD, MAX_NOTE, CallOut
from cic.responders.models import NAME_LENGTH
from cic.responders.service import ResponderInput

Kind = Literal["soltys", "osp", "drogowcy", "dyzurny", "policja", "inny"]
Channel = Literal["sms", "voice", "email"]
Availability = Literal["dostepny", "zajety", "niedostepny"]
Lat = Annotated[float, Field(ge=-90, le=90)]
Lon = Annotated[float, Field(ge=-180, le=180)]
Short = Annotated[str, StringConstraints(max_length=MAX_FIELD)]


class ResponderIn(Exact):
    """A responder to add or change: the base as ``lat``/``lon`` or as an ``address`` from
    the register; the calendar as weekly hours (``{"mon": ["07:00-15:00"]}``, an interval may
    run past midnight) and dated exceptions (``wolne``: leave, ``dyzur``: extra duty)."""

    kind: Kind = Field(title="Rodzaj")
    name: OneLine = Field(min_length=1, max_length=NAME_LENGTH, title="Nazwa")
    lat: Lat | None = Field(None, title="Szerokość geograficzna (WGS 84)")
    lon: Lon | None = Field(None, title="Długość geograficzna (WGS 84)")
    address: OneLine = Field("", max_length=200, title="Adres bazy (np. Lipowa 5, Dębówka)")
    phone: OneLine = Field("", max_length=20, title="Telefon (SMS i połączenia)")
    email: OneLine = Field("", max_length=320, title="E-mail")
    channels: list[Channel] = Field(["sms", "voice"], min_length=1, max_length=3,
                                    title="Kanały w kolejności użycia")  # fmt: skip
    always_on: bool = Field(False, title="Dyżur całodobowy (24/7)")
    weekly: dict[str, list[Annotated[str, StringConstraints(max_length=11)]]] = Field(
        default_factory=dict, title="Godziny dyżuru w tygodniu"
    )
    exceptions: list[dict[str, str]] = Field(default_factory=list, max_length=200,
                                             title="Wyjątki (urlop, dodatkowy dyżur)")  # fmt: skip
    availability: Availability = Field("dostepny", title="Dostępność")
    active: bool = Field(True, title="Aktywny")

    def given_input(self) -> ResponderInput:
        """The service's view of it."""
        return ResponderInput(
            self.kind, self.name, self.lat, self.lon, self.address, self.phone, self.email,
            tuple(self.channels), self.always_on, self.weekly, self.exceptions,
            self.availability, self.active,
        )  # fmt: skip


class AvailabilityIn(Exact):
    """A responder's manual availability."""

    availability: Availability = Field(title="Dostępność")


class ProposalIn(Body):
    """Where the incident is and which kinds of responders to consider (empty: all)."""

    lat: Lat = Field(title="Szerokość geograficzna (WGS 84)")
    lon: Lon = Field(title="Długość geograficzna (WGS 84)")
    kinds: list[Kind] = Field(default_factory=list, max_length=6, title="Rodzaje, w kolejności")
    limit: int = Field(10, ge=1, le=50, title="Najwyżej tylu")


class DispatchIn(Exact):
    """Send a responder to an incident; ``category``, ``address``, ``description`` are what
    the call-out says (taken from the incident when the incidents are connected)."""

    incident_id: int = Field(ge=1, lt=2**31, title="Numer zgłoszenia")
    responder_id: int = Field(ge=1, lt=2**31, title="Ratownik")
    note: str = Field("", max_length=MAX_NOTE, title="Uwagi dyżurnego")
    category: Short = Field("", title="Kategoria zagrożenia")
    address: Short = Field("", title="Miejsce")
    description: str = Field("", max_length=MAX_NOTE, title="Opis")

    def call_out(self) -> CallOut:
        """What the call-out says."""
        return CallOut(self.category, self.address, self.description)


class DispatchStatusIn(Exact):
    """An answer given another way (by phone)."""

    status: Literal["potwierdzone", "odmowa", "brak_odpowiedzi"] = Field(title="Stan")
    detail: str = Field("", max_length=500, title="Szczegóły")


class ResponderOut(TypedDict, total=False):
    """A responder (contact details and calendar only for those who keep the register)."""

    id: int
    name: str
    kind: str
    kind_label: str
    lat: float
    lon: float
    address: str
    availability: str
    availability_label: str
    on_duty: bool
    available_now: bool
    active: bool
    km: float
    phone: str
    email: str
    channels: list[str]
    always_on: bool
    weekly: dict[str, Any]
    exceptions: list[dict[str, Any]]


class MapFeatureOut(TypedDict):
    """A point of the safety map's responders layer."""

    lat: float
    lon: float
    label: str
    detail: str
    href: str


class RespondersOut(TypedDict):
    """Responders (also the map layer)."""

    items: list[ResponderOut]


class DispatchOut(TypedDict):
    """A dispatch with its history and the deliveries of its call-out."""

    id: int
    incident_id: int
    responder_id: int
    responder: str
    responder_kind: str
    sent_by: str
    sent_at: str
    status: str
    status_label: str
    answered_at: str | None
    note: str
    text: str
    history: list[dict[str, Any]]
    deliveries: list[dict[str, Any]]


class DispatchesOut(TypedDict):
    """The dispatches of an incident, newest first."""

    items: list[DispatchOut]
