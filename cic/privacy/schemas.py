"""What the data-protection officer's API takes: the rectification request (art. 16 RODO)
and the erasure switch, as typed schemas."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints, model_validator
from typing_extensions import TypedDict

from cic.http.json_api import MAX_ID
from cic.http.schemas import NOT_BLANK, Body, Exact, OneLine
from cic.residents.schemas import Name, Note, Numbers, ResidentOut

MAX_PARTY_TEXT = 300
MAX_PARTIES = 50
PartyText = Annotated[OneLine, StringConstraints(max_length=MAX_PARTY_TEXT)]


class PartyFix(Exact):
    """A correction of one case-party entry: its ``id`` and a new name and/or contact."""

    id: int = Field(ge=1, le=MAX_ID, title="Wpis strony (id)")
    name: Annotated[PartyText, NOT_BLANK] | None = Field(None, title="Nazwa strony")
    contact: PartyText | None = Field(None, title="Kontakt ze stroną")

    @model_validator(mode="after")
    def _something(self) -> PartyFix:
        if self.name is None and self.contact is None:
            raise ValueError(f"Wpis strony {self.id}: podaj name lub contact")
        return self


class Rectification(Exact):
    """What to correct: the resident's name, note, the whole list of numbers, party entries."""

    name: Name | None = None
    note: Note | None = None
    numbers: Numbers | None = Field(None, description="cała poprawiona lista numerów")
    parties: list[PartyFix] = Field(
        default_factory=list, max_length=MAX_PARTIES, title="Wpisy stron"
    )

    @model_validator(mode="after")
    def _something(self) -> Rectification:
        if all(v is None for v in (self.name, self.note, self.numbers)) and not self.parties:
            raise ValueError("Nic do sprostowania (name, note, numbers, parties)")
        return self


class Erasure(Body):
    """Whether to carry out the erasure (``false``: only the plan)."""

    execute: bool = Field(False, title="execute")


class Changed(TypedDict):
    """What a rectification changed (field names and counts, no values)."""

    fields: list[str]
    numbers_added: int
    numbers_removed: int
    parties: int


class Rectified(TypedDict):
    """The resident's record after the rectification, and what changed."""

    mieszkaniec: ResidentOut
    zmiany: Changed
