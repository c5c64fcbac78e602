"""``cic demo call``: ring an available agent's browser phone, or fall back to the SIPp agent."""

from __future__ import annotations

from typing import Any

from cic.demo.choice import browser_agent, browser_phones

QUEUE = "pierwsza-linia"


def agent(username: str, contact: str | None = None, queue: str = QUEUE, active: bool = True):
    """A row of ``GET /api/admin/agents``."""
    return {"username": username, "static_contact": contact, "active": active,
            "queues": [{"queue": queue, "penalty": 0}]}  # fmt: skip


def presence(username: str, state: str = "available", device: str = "NOT_INUSE") -> dict[str, Any]:
    """A row of ``GET /api/agents``."""
    return {"username": username, "state": state, "device": device}


DIRECTORY = [
    agent("konsultant"),
    agent("demo", "sip:agent-demo@127.0.0.1:5071"),
    agent("ewa", queue="podatki"),
    agent("stary", active=False),
    agent("zofia"),
]


def test_only_active_first_line_agents_without_a_fixed_phone_have_a_browser_phone() -> None:
    assert browser_phones(DIRECTORY, QUEUE) == {"konsultant", "zofia"}


def test_the_available_registered_browser_agent_takes_the_call() -> None:
    presences = [presence("demo"), presence("konsultant"), presence("zofia", "offline", "UNKNOWN")]
    assert browser_agent(DIRECTORY, presences, QUEUE) == "konsultant"


def test_the_first_by_name_when_two_wait() -> None:
    presences = [presence("zofia"), presence("konsultant")]
    assert browser_agent(DIRECTORY, presences, QUEUE) == "konsultant"


def test_nobody_ready_in_the_browser_means_the_sipp_agent() -> None:
    not_ready = [
        presence("konsultant", "paused"),  # paused with a reason
        presence("zofia", "offline", "NOT_INUSE"),  # signed in, not "Dostępny"
        presence("demo"),  # available, but a fixed (SIPp) phone
        presence("ewa"),  # available in another queue only
        presence("stary"),  # deactivated
    ]
    assert browser_agent(DIRECTORY, not_ready, QUEUE) is None
    for device in ("UNKNOWN", "UNAVAILABLE", "INUSE", "RINGING"):  # not registered, or busy
        assert browser_agent(DIRECTORY, [presence("konsultant", device=device)], QUEUE) is None
    for state in ("ringing", "on_call", "wrapup"):
        assert browser_agent(DIRECTORY, [presence("konsultant", state)], QUEUE) is None
    assert browser_agent([], [presence("konsultant")], QUEUE) is None
