"""What the address API takes and gives (JSON Schemas in the OpenAPI document)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints
from typing_extensions import TypedDict

from cic.addresses.service import MAX_SUGGESTIONS, MAX_TEXT
from cic.http.schemas import Query

Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_TEXT)]


class SuggestQuery(Query):
    """The beginning of an address as typed ("lip 5 deb")."""

    q: Text = Field("", description="początek adresu, np. „Lipowa 5 Dęb”")
    limit: int = Field(10, ge=1, le=MAX_SUGGESTIONS)


class LocateQuery(Query):
    """A whole address as typed."""

    adres: Text = Field(..., min_length=1, description="np. „ul. Lipowa 5, Dębówka”")


class PointOut(TypedDict):
    """A point: degrees (WGS 84), the address as shown, its sołectwo."""

    lat: float
    lon: float
    label: str
    solectwo: str


class SuggestionsOut(TypedDict):
    """Suggestions in the order of place, street and number."""

    items: list[PointOut]
