"""The editors' JSON API (role ``editor``; admin and the API token may too).

GET  /api/ogloszenia                   every announcement, the newest changed first
POST /api/ogloszenia                   a new draft (``AnnouncementIn``) → 201
GET  /api/ogloszenia/{id}              one announcement
PUT  /api/ogloszenia/{id}              change it (its state stays)
POST /api/ogloszenia/{id}/czynnosc     ``{"action": "publish" | "schedule" | "withdraw"}``
"""

from __future__ import annotations

from typing import TypeVar

from aiohttp import web
from pydantic import BaseModel

from cic.announcements.errors import AnnouncementError, InvalidAnnouncement
from cic.announcements.schemas import (
    ActionIn,
    AnnouncementIn,
    AnnouncementOut,
    announcement_out,
    when,
)
from cic.announcements.service import AnnouncementService
from cic.auth.roles import current_user, require
from cic.http.endpoint import documented
from cic.http.json_api import path_id
from cic.http.schemas import read_body

EDITORS = ("editor",)
M = TypeVar("M", bound=BaseModel)


def routes(service: AnnouncementService) -> list[web.RouteDef]:
    """The API's routes."""

    async def answer(announcement_id: int, status: int = 200) -> web.Response:
        item = await service.get(announcement_id)
        return web.json_response(announcement_out(item), status=status)

    async def target(request: web.Request, model: type[M]) -> tuple[int, M]:
        """The announcement in the path and the request's body."""
        announcement_id = path_id(request, "id", AnnouncementError)
        return announcement_id, await read_body(request, model, AnnouncementError)

    def author(request: web.Request) -> str:
        user = current_user(request)
        return user.username if user else ""

    @documented("Ogłoszenia (redakcja)", returns=list[AnnouncementOut], errors=(401, 403))
    @require(*EDITORS)
    async def listing(_request: web.Request) -> web.StreamResponse:
        return web.json_response([announcement_out(a) for a in await service.edited()])

    @documented("Nowe ogłoszenie (szkic)", body=AnnouncementIn, returns=AnnouncementOut,
                status=201, errors=(400, 401, 403))  # fmt: skip
    @require(*EDITORS)
    async def create(request: web.Request) -> web.StreamResponse:
        body = await read_body(request, AnnouncementIn, AnnouncementError)
        return await answer(await service.save(body.draft(), author(request)), 201)

    @documented("Jedno ogłoszenie (redakcja)", returns=AnnouncementOut, errors=(401, 403, 404))
    @require(*EDITORS)
    async def one(request: web.Request) -> web.StreamResponse:
        return await answer(path_id(request, "id", AnnouncementError))

    @documented("Zmiana ogłoszenia (stan bez zmian)", body=AnnouncementIn,
                returns=AnnouncementOut, errors=(400, 401, 403, 404))  # fmt: skip
    @require(*EDITORS)
    async def change(request: web.Request) -> web.StreamResponse:
        announcement_id, body = await target(request, AnnouncementIn)
        await service.save(body.draft(), author(request), announcement_id)
        return await answer(announcement_id)

    @documented("Publikacja teraz, zaplanowanie albo wycofanie ogłoszenia", body=ActionIn,
                returns=AnnouncementOut, errors=(400, 401, 403, 404))  # fmt: skip
    @require(*EDITORS)
    async def act(request: web.Request) -> web.StreamResponse:
        announcement_id, body = await target(request, ActionIn)
        if body.action == "publish":
            await service.publish(announcement_id)
        elif body.action == "withdraw":
            await service.withdraw(announcement_id)
        else:
            at = when(body.publish_at)
            if at is None:
                raise InvalidAnnouncement({"publish_at": "Podaj termin publikacji."})
            await service.schedule(announcement_id, at)
        return await answer(announcement_id)

    item = r"/api/ogloszenia/{id:\d{1,10}}"
    return [
        web.get("/api/ogloszenia", listing),
        web.post("/api/ogloszenia", create),
        web.get(item, one),
        web.put(item, change),
        web.post(item + "/czynnosc", act),
    ]
