"""Sign-in locks for admins (``cic.auth.lockout``): see them, lift one (audited).

GET    /api/admin/sign-in-locks   {"locks": [(user, address) pairs], "slowed": [addresses]}
DELETE /api/admin/sign-in-locks   {"address": "...", "username": "..."} lifts a pair's lock;
                                  without ``username`` it ends the address's back-off
"""

from __future__ import annotations

from typing import Annotated

from aiohttp import web
from pydantic import Field
from typing_extensions import TypedDict

from cic.auth.errors import InvalidLock
from cic.auth.roles import current_user, require
from cic.auth.service import AuthService
from cic.http.endpoint import documented
from cic.http.schemas import NOT_BLANK, Body, read_body

MAX_FIELD = 64


class LiftOut(TypedDict):
    """The lock that was lifted."""

    lifted: bool
    address: str
    username: str | None


class LiftIn(Body):
    """The lock to lift: the client address and, for a per-user lock, the username."""

    address: str = Field(min_length=1, max_length=MAX_FIELD, title="Adres (address)")
    username: Annotated[str, NOT_BLANK] | None = Field(None, title="Login (username)")


def routes(auth: AuthService) -> list[web.RouteDef]:
    """The lock list and the lift, for the admin role."""

    @documented(
        "Blokady logowania (login z adresu) i spowolnione adresy",
        returns={
            "type": "object",
            "properties": {
                "locks": {"type": "array", "items": {"type": "object"}},
                "slowed": {"type": "array", "items": {"type": "object"}},
            },
        },
        errors=(401, 403),
    )
    @require("admin")
    async def listing(_request: web.Request) -> web.StreamResponse:
        return web.json_response({"locks": auth.guard.locks(), "slowed": auth.guard.slowed()})

    @documented(
        "Zdjęcie blokady logowania (loginu z adresu) albo spowolnienia adresu",
        body=LiftIn,
        returns=LiftOut,
        errors=(400, 401, 403, 404, 503),
    )
    @require("admin")
    async def lift(request: web.Request) -> web.StreamResponse:
        body = await read_body(request, LiftIn, InvalidLock)
        address, username = body.address, body.username
        user = current_user(request)
        actor = user.username if user else ""
        await auth.lift_lock(address, username, actor, request.remote or "")
        lifted: LiftOut = {"lifted": True, "address": address, "username": username}
        return web.json_response(lifted)

    return [
        web.get("/api/admin/sign-in-locks", listing),
        web.delete("/api/admin/sign-in-locks", lift),
    ]
