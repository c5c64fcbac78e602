"""What the first-line capacity API takes: a reserve entry."""

from __future__ import annotations

from pydantic import Field

from cic.http.schemas import Body


class ReserveIn(Body):
    """Whether the agent is in the first line's reserve, and their queue penalty there."""

    reserve: bool = Field(title="Rezerwa (reserve)")
    penalty: int | None = Field(None, ge=0, le=100, title="Kara w kolejce (penalty)")
