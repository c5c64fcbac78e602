"""JSON API of wrap-ups: the agent who took a call (or a supervisor) saves outcome, topic, note."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from cic.auth.actor import actor_of
from cic.auth.roles import current_user, guard
from cic.calls.wrapup import NOTE_MAX, TOPIC_MAX, WrapupService
from cic.http.endpoint import documented
from cic.http.json_api import json_object

AgentInterface = Callable[[int | None], Awaitable[str | None]]
WRAPUP: dict[str, Any] = {
    "type": "object",
    "properties": {
        "outcome": {"type": "string", "description": "jeden z wyników rozmowy urzędu"},
        "topic": {"type": "string", "maxLength": TOPIC_MAX},
        "note": {"type": "string", "maxLength": NOTE_MAX},
    },
    "required": ["outcome"],
}


def routes(wrapups: WrapupService, agent_interface: AgentInterface) -> list[web.RouteDef]:
    """``POST /api/calls/{call_id}/wrapup`` and ``GET /api/calls/{call_id}/wrapups``."""
    signed_in = guard("agent", "specialist", "supervisor")

    async def handled_by(request: web.Request) -> tuple[str, str]:
        """(call id, the agent interface the wrap-up is for); agents only their own calls."""
        call_id = request.match_info["call_id"]
        actor = await actor_of(request, agent_interface)
        return call_id, await wrapups.agent_for(call_id, actor)

    @documented(
        "Zapis podsumowania rozmowy: wynik, temat, notatka",
        description="Konsultant: tylko rozmowa, którą obsłużył; ponowny zapis zastępuje poprzedni.",
        body=WRAPUP,
        status=201,
        errors=(400, 401, 403, 404, 503),
    )
    async def save(request: web.Request) -> web.StreamResponse:
        await signed_in(request)
        call_id, agent = await handled_by(request)
        body = await json_object(request)
        fields = {k: body.get(k, "") for k in ("outcome", "topic", "note")}
        if not all(isinstance(v, str) for v in fields.values()):
            return web.json_response(
                {"error": "bad_wrapup", "message": "outcome, topic i note to teksty."},
                status=400,
            )
        user = current_user(request)
        saved = await wrapups.save(
            call_id, agent, fields["outcome"], fields["topic"], fields["note"],
            user.username if user else "",
        )  # fmt: skip
        return web.json_response(saved, status=201)

    @documented(
        "Podsumowania rozmowy, najstarsze pierwsze",
        returns={"type": "array", "items": {"type": "object"}},
        errors=(401, 403, 404, 503),
    )
    async def list_(request: web.Request) -> web.StreamResponse:
        await signed_in(request)
        call_id, _agent = await handled_by(request)
        return web.json_response(await wrapups.for_call(call_id))

    return [
        web.post("/api/calls/{call_id}/wrapup", save),
        web.get("/api/calls/{call_id}/wrapups", list_),
    ]
