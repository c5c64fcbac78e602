"""What the FastAGI server asks the routing domain and what it gets back.

The Asterisk layer owns these types (the dialplan reads a decision's fields as channel
variables, see ``cic.asterisk.agi.decision_variables``); the routing domain fills them in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Action = Literal["queue", "agent", "closed", "menu", "case_status", "warnings"]


@dataclass(frozen=True)
class RouteRequest:
    """A call asking where to go; caller fields are verbatim ('' when Asterisk has none)."""

    call_id: str
    caller_number: str
    caller_name: str
    dialled: str
    channel: str


@dataclass(frozen=True)
class Decision:
    """Where the call goes.

    ``target`` is the queue name (``queue``), the agent's interface (``agent``) or ``''``
    (``closed``, ``menu``). ``queue`` is always the first-line queue: where an agent attempt
    falls to.
    ``agent_wait`` is how long to ring the agent (seconds; 0 unless ``action`` is ``agent``).
    ``reason`` is a stable code (see the module docstring); ``reason_text`` is Polish for
    the console.
    """

    action: Action
    target: str
    queue: str
    agent_wait: int
    reason: str
    reason_text: str
