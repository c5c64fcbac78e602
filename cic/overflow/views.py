"""JSON API of first-line capacity (supervisor): the reserve, borrowing and giving back.

GET  /api/first-line                       reserve, borrowed agents, thresholds, load
POST /api/first-line/{username}/add        borrow an agent into the first line by hand
POST /api/first-line/{username}/remove     give an agent back
PUT  /api/first-line/reserve/{username}    {"reserve": bool, "penalty": int | null}
"""

from __future__ import annotations

from aiohttp import web

from cic.auth.roles import current_user, require
from cic.http.endpoint import documented
from cic.http.schemas import read_body
from cic.overflow.errors import BadReserve
from cic.overflow.schemas import CapacityOut, EntryOut, ReserveIn
from cic.overflow.service import Entry, FirstLineCapacity

SUPERVISING = ("supervisor",)


def _entry(entry: Entry) -> EntryOut:
    return {
        "username": entry.username,
        "reserve": entry.reserve,
        "penalty": entry.penalty,
        "in_first_line": entry.in_first_line,
        "added_by": entry.added_by,
        "changed_at": entry.changed_at.isoformat() if entry.changed_at else None,
    }


def _actor(request: web.Request) -> str:
    user = current_user(request)
    return user.username if user else ""


def routes(capacity: FirstLineCapacity) -> list[web.RouteDef]:
    """The routes of the first-line capacity API."""

    @documented(
        "Pierwsza linia: rezerwa, dołączeni konsultanci, progi i obciążenie",
        returns=CapacityOut,
        errors=(401, 403),
    )
    @require(*SUPERVISING)
    async def show(_request: web.Request) -> web.StreamResponse:
        return web.json_response(capacity.view())

    @documented(
        "Dołączenie konsultanta do pierwszej linii albo jego zwolnienie",
        returns=EntryOut,
        errors=(401, 403, 404, 409, 503),
    )
    @require(*SUPERVISING)
    async def change(request: web.Request) -> web.StreamResponse:
        username, action = request.match_info["username"], request.match_info["action"]
        if action == "add":
            entry = await capacity.add(username, actor=_actor(request))
        else:
            entry = await capacity.remove(username, actor=_actor(request))
        return web.json_response(_entry(entry))

    @documented(
        "Wpisanie konsultanta do rezerwy pierwszej linii albo wypisanie",
        returns=EntryOut,
        body=ReserveIn,
        errors=(400, 401, 403, 404, 409, 503),
    )
    @require(*SUPERVISING)
    async def reserve(request: web.Request) -> web.StreamResponse:
        body = await read_body(request, ReserveIn, BadReserve)
        entry = await capacity.set_reserve(
            request.match_info["username"], body.reserve, body.penalty, actor=_actor(request)
        )
        return web.json_response(_entry(entry))

    return [
        web.get("/api/first-line", show),
        web.post("/api/first-line/{username}/{action:add|remove}", change),
        web.put("/api/first-line/reserve/{username}", reserve),
    ]
