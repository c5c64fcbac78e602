"""What the agents API takes: a new agent and the reason of a pause."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints
from typing_extensions import TypedDict

from cic.http.schemas import Body


class NewAgent(Body):
    """A new agent (a desk in the PBX); without ``queues`` the first-line queue."""

    username: str = Field(title="Login (username)")
    display_name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)] = Field(
        title="Imię i nazwisko (display_name)"
    )
    static_contact: str | None = Field(None, description="SIP URI stałego telefonu")
    queues: list[str] | None = Field(None, title="Kolejki (queues)")


class Pause(Body):
    """Why the agent takes a break (shown on the wallboard)."""

    reason: str = Field(title="Powód przerwy", description="od 1 do 60 znaków")


class QueueSeat(TypedDict):
    """A queue the agent takes calls from, with their penalty there."""

    queue: str
    penalty: int


class Presence(TypedDict):
    """An agent's presence now (the wallboard, the directory and the console show it)."""

    username: str
    display_name: str
    interface: str
    state: Annotated[str, Field(description="offline, available, ringing, on_call, wrapup, paused")]
    label: Annotated[str, Field(description="stan po polsku")]
    pause_reason: str
    device: str
    since: str | None
    queues: list[QueueSeat]
