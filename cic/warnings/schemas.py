"""What the warnings' JSON API takes, as typed schemas."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from cic.announcements.schemas import when
from cic.http.schemas import NOT_BLANK, Exact, IsoDateTime, OneLine
from cic.warnings.service import DETAILS_MAX, TITLE_MAX, Draft

Title = Annotated[OneLine, StringConstraints(max_length=TITLE_MAX), NOT_BLANK]
Place = Annotated[str, StringConstraints(max_length=200)]


class WarningIn(Exact):
    """A warning to create or change (only a draft changes)."""

    title: Title = Field(title="Tytuł")
    text: str = Field(min_length=1, max_length=1000, title="Krótka treść (SMS, połączenie)")
    details: str = Field("", max_length=DETAILS_MAX, title="Dłuższy opis na portalu")
    severity: Literal["informacja", "ostrzezenie", "alarm"] = Field(title="Stopień")
    channels: list[Literal["portal", "email", "sms", "voice"]] = Field(
        min_length=1, max_length=4, title="Kanały"
    )
    solectwa: list[Place] = Field(
        default_factory=list, max_length=200, title="Sołectwa (puste: cała gmina)"
    )
    valid_from: IsoDateTime = Field("", title="Obowiązuje od (ISO 8601; puste: od teraz)")
    valid_until: IsoDateTime = Field(title="Obowiązuje do (ISO 8601)")
    incident_id: int | None = Field(None, ge=1, le=2**31 - 1, title="Numer zdarzenia")
    audio: str = Field("", max_length=100, title="Nagranie do połączeń (nazwa pliku)")

    def draft(self) -> Draft:
        """The service's view of it."""
        return Draft(
            self.title, self.text, self.severity, tuple(self.channels), when(self.valid_from),
            when(self.valid_until), tuple(self.solectwa), self.details, self.incident_id,
            self.audio,
        )  # fmt: skip


class ActionIn(Exact):
    """What to do with a warning."""

    action: Literal["send", "cancel"] = Field(title="Czynność: wyślij albo odwołaj")


class DeskIn(Exact):
    """A resident's consent recorded at the front desk (the consent text was read out)."""

    channel: Literal["email", "sms", "voice"] = Field(title="Kanał")
    address: str = Field(min_length=1, max_length=254, title="Numer telefonu albo e-mail")
    solectwa: list[Place] = Field(
        default_factory=list, max_length=200, title="Sołectwa (puste: cała gmina)"
    )
