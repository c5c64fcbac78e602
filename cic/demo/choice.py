"""Who takes ``cic demo call``: an agent available with a browser phone, or the SIPp demo agent.

Pure functions over what the controller's API returns (``GET /api/admin/agents`` for the
directory, ``GET /api/agents`` for presence), so the decision is tested without a PBX.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

#: The device state Asterisk reports for a PJSIP endpoint with a registered, idle contact.
REGISTERED_IDLE = "NOT_INUSE"


def browser_phones(directory: Iterable[Mapping[str, Any]], queue: str) -> set[str]:
    """Usernames of the active agents of ``queue`` whose phone is the browser (no fixed
    contact: a WebRTC endpoint)."""
    return {
        a["username"]
        for a in directory
        if a.get("active") and not a.get("static_contact")
        and any(seat.get("queue") == queue for seat in a.get("queues", []))
    }  # fmt: skip


def browser_agent(
    directory: Iterable[Mapping[str, Any]], presences: Iterable[Mapping[str, Any]], queue: str
) -> str | None:
    """The agent the demo call rings in the browser: in ``queue`` with a browser phone,
    available (logged in, not paused, not on a call or in wrap-up) and registered; the first
    by username, ``None`` when nobody is."""
    browser = browser_phones(directory, queue)
    ready = sorted(
        p["username"]
        for p in presences
        if p.get("username") in browser
        and p.get("state") == "available"
        and p.get("device") == REGISTERED_IDLE
    )
    return ready[0] if ready else None
