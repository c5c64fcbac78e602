"""What the office-state API takes: the working mode."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from cic.http.schemas import Body


class ModeIn(Body):
    """The office's working mode (``auto``: by the calendar) and who set it (API clients)."""

    mode: Literal["auto", "open", "closed"] = Field(title="Tryb")
    by: str = Field("api", max_length=64, title="Kto (by)")
