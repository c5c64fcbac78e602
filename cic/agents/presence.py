"""The presence state of an agent, derived from facts (pure, no I/O).

Facts: logged in or not, paused with a reason, the device state Asterisk reports, and the end of
the wrap-up period. During wrap-up an agent is shown as ``wrapup``, never as available (showing
wrap-up as available is a known pain of wallboards built on Asterisk queues).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum


class State(StrEnum):
    """What a wallboard shows for an agent."""

    OFFLINE = "offline"
    AVAILABLE = "available"
    RINGING = "ringing"
    ON_CALL = "on_call"
    WRAPUP = "wrapup"
    PAUSED = "paused"


STATE_LABELS_PL = {
    State.OFFLINE: "niezalogowany",
    State.AVAILABLE: "dostępny",
    State.RINGING: "dzwoni",
    State.ON_CALL: "w rozmowie",
    State.WRAPUP: "po rozmowie",
    State.PAUSED: "przerwa",
}

RINGING_DEVICE = {"RINGING", "RINGINUSE"}
BUSY_DEVICE = {"INUSE", "BUSY", "ONHOLD"}
GONE_DEVICE = {"UNAVAILABLE", "INVALID"}


@dataclass(frozen=True)
class Facts:
    """Everything presence depends on, for one agent."""

    logged_in: bool = False
    paused: bool = False
    pause_reason: str = ""
    device: str = "UNKNOWN"
    wrapup_until: datetime | None = None
    changed_at: datetime | None = None

    def with_(self, **changes: object) -> Facts:
        """A copy with some facts changed."""
        return replace(self, **changes)  # type: ignore[arg-type]


def state_of(facts: Facts, now: datetime) -> State:
    """The presence state for ``facts`` at ``now``."""
    if not facts.logged_in:
        return State.OFFLINE
    if facts.device in RINGING_DEVICE:
        return State.RINGING
    if facts.device in BUSY_DEVICE:
        return State.ON_CALL
    if facts.paused:
        return State.PAUSED
    if facts.device in GONE_DEVICE:
        return State.OFFLINE
    if facts.wrapup_until is not None and now < facts.wrapup_until:
        return State.WRAPUP
    return State.AVAILABLE
