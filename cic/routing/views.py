"""JSON API of the office's state: open or closed now, and the opening-mode switch."""

from __future__ import annotations

from datetime import UTC, datetime

from aiohttp import web

from cic.auth.roles import current_user, require
from cic.http.endpoint import documented
from cic.http.schemas import read_body
from cic.routing.calendar import OfficeCalendar
from cic.routing.mode import MODE_LABELS_PL, InvalidMode, OfficeModeSwitch
from cic.routing.schemas import ModeIn, OfficeState
from cic.routing.service import format_opening


def routes(switch: OfficeModeSwitch, calendar: OfficeCalendar) -> list[web.RouteDef]:
    """``GET /api/office`` and ``POST /api/office/mode``."""

    def state() -> OfficeState:
        now = calendar.is_open(datetime.now(UTC))
        mode = switch.mode
        is_open = mode == "open" or (mode == "auto" and now.open)
        return {
            "mode": mode,
            "label": MODE_LABELS_PL[mode],
            "changed_by": switch.changed_by,
            "changed_at": switch.changed_at.isoformat() if switch.changed_at else None,
            "open": is_open,
            "calendar_open": now.open,
            "calendar_reason": now.reason,
            "holiday": now.holiday,
            "next_open": format_opening(now.next_open) if now.next_open else None,
        }

    @documented(
        "Stan urzędu: otwarty czy zamknięty, tryb pracy", returns=OfficeState, errors=(401,)
    )
    async def get(_request: web.Request) -> web.StreamResponse:
        return web.json_response(state())

    @documented(
        "Zmiana trybu pracy urzędu: automatyczny, otwarty, zamknięty",
        body=ModeIn,
        returns=OfficeState,
        errors=(400, 401, 403, 503),
    )
    @require("supervisor")
    async def set_mode(request: web.Request) -> web.StreamResponse:
        body = await read_body(request, ModeIn, InvalidMode)
        user = current_user(request)
        await switch.set(body.mode, user.username if user and user.username else body.by)
        return web.json_response(state())

    return [web.get("/api/office", get), web.post("/api/office/mode", set_mode)]
