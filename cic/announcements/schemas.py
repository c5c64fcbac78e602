"""What the announcements' JSON API takes and gives, as typed schemas."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints
from typing_extensions import TypedDict

from cic.announcements.service import BODY_MAX, SUMMARY_MAX, TITLE_MAX, Draft, EditedAnnouncement
from cic.http.schemas import NOT_BLANK, Exact, IsoDateTime, OneLine

Title = Annotated[OneLine, StringConstraints(max_length=TITLE_MAX), NOT_BLANK]


def when(text: str) -> datetime | None:
    """An ISO 8601 time from the API ('' is none; without a zone it is UTC)."""
    if not text:
        return None
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class AnnouncementIn(Exact):
    """An announcement to create or change (its state is changed by the actions)."""

    title: Title = Field(title="Tytuł")
    summary: str = Field("", max_length=SUMMARY_MAX, title="Streszczenie")
    body: str = Field(min_length=1, max_length=BODY_MAX, title="Treść (Markdown)")
    category: str = Field(min_length=1, max_length=64, title="Kategoria (adres, np. odpady)")
    solectwa: list[Annotated[str, StringConstraints(max_length=200)]] = Field(
        default_factory=list, max_length=200, title="Sołectwa (puste: cała gmina)"
    )
    publish_at: IsoDateTime = Field("", title="Proponowany termin publikacji (ISO 8601)")
    expires_at: IsoDateTime = Field("", title="Wygasa (ISO 8601)")

    def draft(self) -> Draft:
        """The service's view of it."""
        return Draft(
            self.title, self.summary, self.body, self.category, tuple(self.solectwa),
            when(self.publish_at), when(self.expires_at),
        )  # fmt: skip


class ActionIn(Exact):
    """What to do with an announcement: publish now, schedule (``publish_at``), withdraw."""

    action: Literal["publish", "schedule", "withdraw"] = Field(title="Czynność")
    publish_at: IsoDateTime = Field("", title="Termin publikacji (ISO 8601)")


class AnnouncementOut(TypedDict):
    """An announcement as editors see it."""

    id: int
    title: str
    summary: str
    body: str
    category: str
    solectwa: list[str]
    state: str
    publish_at: str | None
    expires_at: str | None
    updated_at: str
    mailed_at: str | None
    public: bool
    path: str


def announcement_out(item: EditedAnnouncement) -> AnnouncementOut:
    """JSON of an announcement."""

    def iso(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    return AnnouncementOut(
        id=item.id, title=item.title, summary=item.summary, body=item.body,
        category=item.category, solectwa=list(item.solectwa), state=item.state,
        publish_at=iso(item.publish_at), expires_at=iso(item.expires_at),
        updated_at=item.updated_at.isoformat(), mailed_at=iso(item.mailed_at),
        public=item.public, path=f"/e-urzad/ogloszenia/{item.id}-{item.slug}",
    )  # fmt: skip
