"""What the review API takes: the filters of the call list, the statistics' period and the
transcript search's page, as typed query strings."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, ValidationError

from cic.http.schemas import Digits, IsoDate, Query, message
from cic.review.errors import InvalidInput
from cic.review.review import OUTCOMES, Filters
from cic.review.search import MAX_OFFSET, MAX_PAGE, PAGE
from cic.review.search_terms import MAX_QUERY

MAX_SECONDS = 86_400


def _seconds(raw: str) -> str:
    if raw:
        try:
            value = float(raw)
        except ValueError:
            raise ValueError("liczba sekund") from None
        if not 0 <= value <= MAX_SECONDS:  # also refuses nan
            raise ValueError(f"od 0 do {MAX_SECONDS} sekund")
    return raw


def _outcome(raw: str) -> str:
    if raw and raw not in OUTCOMES:
        raise ValueError(f"jeden z {', '.join(OUTCOMES)}")
    return raw


Seconds = Annotated[
    str,
    AfterValidator(_seconds),
    Field(json_schema_extra={"description": f"liczba sekund od 0 do {MAX_SECONDS}"}),
]


class FilterQuery(Query):
    """What the supervisor filters calls by (all optional)."""

    topic: str = Field("", max_length=200, title="Temat (topic)")
    since: IsoDate = Field("", alias="from", title="Od")
    until: IsoDate = Field("", alias="to", title="Do")
    agent: str = Field("", max_length=200, title="Konsultant (agent)")
    department: str = Field("", max_length=200, title="Wydział (department)")
    outcome: Annotated[str, AfterValidator(_outcome)] = Field(
        "", title="Wynik", json_schema_extra={"enum": ["", *OUTCOMES]}
    )
    min_seconds: Seconds = Field("", title="Najkrótsza")
    max_seconds: Seconds = Field("", title="Najdłuższa")
    transcribed: str = Field(
        "",
        description="1, true albo tak: tylko rozmowy z transkrypcją",
        json_schema_extra={"enum": ["", "1", "true", "tak"]},
    )

    def filters(self) -> Filters:
        """The filters as the review queries take them."""
        return Filters(
            topic=self.topic.strip(),
            since=date.fromisoformat(self.since) if self.since else None,
            until=date.fromisoformat(self.until) if self.until else None,
            agent=self.agent.strip(),
            department=self.department.strip().upper(),
            outcome=self.outcome,
            min_seconds=float(self.min_seconds) if self.min_seconds else None,
            max_seconds=float(self.max_seconds) if self.max_seconds else None,
            transcribed_only=self.transcribed in ("1", "true", "tak"),
        )


class StatsQuery(FilterQuery):
    """The filters and the period the topic counts are grouped by."""

    period: Literal["week", "month"] = Field("week", title="Okres")


class SearchQuery(FilterQuery):
    """Words to find in the transcripts, the filters and the page of hits."""

    q: str = Field("", max_length=MAX_QUERY, title="Zapytanie (q)")
    limit: Digits = Field(PAGE, ge=1, le=MAX_PAGE, title="limit")
    offset: Digits = Field(0, ge=0, title="offset", json_schema_extra={"maximum": MAX_OFFSET})


def parse_filters(query: Mapping[str, str]) -> Filters:
    """Filters from query parameters; ``InvalidInput`` with a Polish message for bad values."""
    try:
        return FilterQuery.model_validate(dict(query)).filters()
    except ValidationError as exc:
        raise InvalidInput(message(FilterQuery, exc)) from None
