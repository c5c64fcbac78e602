"""What the first-line capacity API takes: a reserve entry."""

from __future__ import annotations

from pydantic import Field
from typing_extensions import TypedDict

from cic.http.schemas import Body


class ReserveIn(Body):
    """Whether the agent is in the first line's reserve, and their queue penalty there."""

    reserve: bool = Field(title="Rezerwa (reserve)")
    penalty: int | None = Field(None, ge=0, le=100, title="Kara w kolejce (penalty)")


class EntryOut(TypedDict):
    """An agent of the reserve (or added by hand) and whether the first line has them."""

    username: str
    reserve: bool
    penalty: int | None
    in_first_line: bool
    added_by: str
    changed_at: str | None


class Thresholds(TypedDict):
    """When the first line borrows from the reserve and when it gives back."""

    add_when_waiting: int
    add_when_longest_wait: float
    remove_when_waiting: int
    remove_when_longest_wait: float
    calm_seconds: float
    step_seconds: float


class Load(TypedDict):
    """The first line's queue as last seen."""

    waiting: int
    longest_wait_seconds: float


class MemberOut(TypedDict):
    """An agent of the reserve with their state now."""

    username: str
    reserve: bool
    penalty: int
    in_first_line: bool
    added_by: str
    state: str
    since: str | None


class CapacityOut(TypedDict):
    """The first line: its queue, whether borrowing is on, thresholds, load and members."""

    queue: str
    enabled: bool
    thresholds: Thresholds
    load: Load
    members: list[MemberOut]
