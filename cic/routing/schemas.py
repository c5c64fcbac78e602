"""What the office-state API takes: the working mode."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field
from typing_extensions import TypedDict

from cic.http.schemas import Body


class ModeIn(Body):
    """The office's working mode (``auto``: by the calendar) and who set it (API clients)."""

    mode: Literal["auto", "open", "closed"] = Field(title="Tryb")
    by: str = Field("api", max_length=64, title="Kto (by)")


class OfficeState(TypedDict):
    """Whether the office is open now, by its mode and its calendar."""

    mode: Literal["auto", "open", "closed"]
    label: str
    changed_by: str
    changed_at: str | None
    open: bool
    calendar_open: bool
    calendar_reason: str
    holiday: str | None
    next_open: Annotated[str | None, Field(description="po polsku, np. „w poniedziałek o 8:00”")]
