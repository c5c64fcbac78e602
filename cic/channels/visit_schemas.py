"""What the front desk's API takes and gives: a walk-in visit and the day's list."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints, model_validator
from typing_extensions import TypedDict

from cic.cases.schemas import Date, DateTime
from cic.http.json_api import MAX_ID
from cic.http.schemas import NOT_BLANK, ONE_LINE, Body, IsoDate, Query
from cic.residents.schemas import Email, Name, Pesel, Phone

MAX_TOPIC, MAX_NOTE = 200, 20_000


class Visitor(Body):
    """A resident not yet in the register, recorded with the visit."""

    name: Name
    phone: Phone | None = None
    email: Email | None = None
    pesel: Pesel | None = None


class VisitIn(Body):
    """A walk-in visit: who (a resident of the register, a new one, or nobody named), the
    matter, a note, and whether it was settled on the spot (``handled``); a matter not
    settled goes to ``department`` (or stays with the desk) with a reply target."""

    resident_id: int | None = Field(None, ge=1, le=MAX_ID, title="Mieszkaniec")
    resident: Visitor | None = Field(None, title="Nowy mieszkaniec")
    topic: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TOPIC),
        ONE_LINE, NOT_BLANK, Field(title="Sprawa"),
    ]  # fmt: skip
    note: str = Field("", max_length=MAX_NOTE, title="Notatka")
    department: str | None = Field(None, max_length=20, title="Komórka", description="np. FN")
    handled: bool = Field(title="Załatwiona na miejscu")

    @model_validator(mode="after")
    def _one_resident(self) -> VisitIn:
        if self.resident_id is not None and self.resident is not None:
            raise ValueError("podaj mieszkańca z kartoteki (resident_id) albo nowego, nie obu")
        return self


class VisitsQuery(Query):
    """The day of the list (today when not given)."""

    dzien: IsoDate = Field("", title="Dzień", description="RRRR-MM-DD, domyślnie dziś")


class VisitResident(TypedDict):
    """Who came, as the day's list names them."""

    id: int
    name: str


class VisitOut(TypedDict):
    """A recorded visit (a contact report of channel ``osobiscie``)."""

    id: int
    topic: str
    note: str
    department: str
    status: str
    status_label: str
    handled: bool
    resident: VisitResident | None
    contact: str
    created_by: str
    created_at: DateTime
    reply_due: Date | None


class Matter(TypedDict):
    """One of the office's common matters (from the topic taxonomy) and its department."""

    id: str
    name: str
    department: str


class MattersOut(TypedDict):
    """The matters offered at the desk and the departments by code."""

    matters: list[Matter]
    departments: dict[str, str]
