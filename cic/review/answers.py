"""What the review API gives: calls with their topics, topic counts, the taxonomy and
transcript search hits."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field
from typing_extensions import TypedDict

from cic.calls.schemas import CallSummary


class TopicRef(TypedDict):
    """A topic by its slug and Polish name."""

    id: str
    name: str


class ReviewCall(CallSummary):
    """A call with its effective topics (the supervisor's correction, else automatic)."""

    topics: list[TopicRef]
    wrapup_topics: list[str]
    corrected: bool
    transcribed: bool


class TopicCount(TypedDict):
    """How many calls had a topic in a period (``2026-W49`` or ``2026-12``)."""

    period: str
    topic: str
    name: str
    department: str
    calls: int


class TopicInfo(TypedDict):
    """A topic of the taxonomy with its department."""

    id: str
    name: str
    department: str


class SnippetPart(TypedDict):
    """A piece of the snippet; ``mark``: a matched word."""

    text: str
    mark: bool


class SearchCall(CallSummary):
    """The call of a search hit, with its topics."""

    topics: list[TopicRef]


class SearchHit(TypedDict):
    """A transcript that matches: where (speaker, second), the snippet and the call."""

    call_id: str
    entered_at: str | None
    score: float
    speaker: Annotated[str, Field(description="resident, agent albo pusty")]
    start: float | None
    snippet: Annotated[str, Field(description="escaped, matches in <mark>")]
    snippet_parts: list[SnippetPart]
    call: SearchCall


class SearchPage(TypedDict):
    """One page of hits, best first."""

    query: str
    offset: int
    more: bool
    count: int
    results: list[SearchHit]
