"""What the recordings API takes and gives: the topic correction and the legal hold, a
call's topic tags and its transcript."""

from __future__ import annotations

from typing import Annotated, Any, NotRequired

from pydantic import Field
from typing_extensions import TypedDict

from cic.http.schemas import Body

MAX_TOPICS = 20


class TopicsIn(Body):
    """The call's topics as the supervisor corrects them (slugs of the taxonomy)."""

    topics: list[str] = Field(max_length=MAX_TOPICS, title="Tematy (topics)")


class HoldIn(Body):
    """A legal hold on (``held``: true) or off, with its reason."""

    held: bool = Field(title="Blokada (held)")
    reason: str = Field("", title="Uzasadnienie (reason)")


class HoldOut(TypedDict):
    """The call's hold after the change."""

    call_id: str
    held: bool


class TopicTag(TypedDict):
    """A topic of the call and who gave it: ``auto`` (the tagger), ``wrapup``, ``supervisor``."""

    topic_id: str
    confidence: float
    source: Annotated[str, Field(description="auto, wrapup albo supervisor")]
    matched: Annotated[list[str], Field(description="słowa, po których rozpoznano temat")]
    created_by: str
    created_at: str | None


class TranscriptRecord(TypedDict):
    """A call's redacted transcript: segments with timed words, the text, what was hidden."""

    call_id: str
    engine: str
    model: str
    language: str
    split_by_speaker: bool
    duration_seconds: float
    segments: list[dict[str, Any]]
    text: str
    findings: Annotated[dict[str, Any], Field(description="co ukryto (rodzaj, liczba)")]
    created_at: str | None
    updated_at: str | None
    unredacted: NotRequired[str | None]


class TranscriptOut(TranscriptRecord):
    """The transcript with the call's topic tags."""

    topics: list[TopicTag]
