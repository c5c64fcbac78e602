"""Errors of the agents domain; each carries its HTTP status and a stable error id."""

from __future__ import annotations

from cic.errors import CicError


class AgentError(CicError):
    """Base class of agent errors."""

    status = 400
    error_id = "agent_error"


class AgentNotFound(AgentError):
    """No active agent has this username."""

    status = 404
    error_id = "agent_not_found"

    def __init__(self, username: str) -> None:
        super().__init__(f"Nie ma konsultanta o nazwie {username!r}.")


class InvalidAgent(AgentError):
    """The request would make an invalid agent or presence change."""

    status = 400
    error_id = "invalid_agent_request"


class BadAgent(InvalidAgent):
    """A new agent's details are missing or of the wrong type."""

    error_id = "bad_agent"


class BadReason(InvalidAgent):
    """A pause without a usable reason."""

    error_id = "bad_reason"
