"""Who acts: the signed-in user as the services see them, for per-object authorisation.

Views build one :class:`Actor` per request with :func:`actor_of`; services decide with it
whether THIS user may read or change THIS object (a report, a case, a call, a recording) and
write refusals to the audit log (``cic.auth.refusals``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web

from cic.auth.roles import current_user

OFFICIAL_ROLES = ("specialist", "supervisor", "admin")
SUPERVISING_ROLES = ("supervisor", "admin")
#: The device interface (``PJSIP/agent-anna``) of a user's linked agent row, or None.
AgentInterface = Callable[[int | None], Awaitable[str | None]]


@dataclass(frozen=True)
class Actor:
    """User name, role, the device of their agent (the calls they took carry it) and address."""

    username: str
    role: str
    interface: str | None = None
    ip: str = ""

    @property
    def official(self) -> bool:
        """Specialists, supervisors and admins (register and change cases, any report)."""
        return self.role in OFFICIAL_ROLES

    @property
    def supervising(self) -> bool:
        """Supervisors and admins (every call of the office)."""
        return self.role in SUPERVISING_ROLES


async def actor_of(request: web.Request, interface_of: AgentInterface | None = None) -> Actor:
    """The request's user as an :class:`Actor` (an empty one when nobody is signed in)."""
    user = current_user(request)
    if user is None:
        return Actor("", "", None, request.remote or "")
    interface = None
    if interface_of is not None and user.agent_id is not None:
        interface = await interface_of(user.agent_id)
    return Actor(user.username, user.role, interface, request.remote or "")
