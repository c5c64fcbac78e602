"""JSON API of wrap-ups: the agent who took a call (or a supervisor) saves outcome, topic, note."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web
from pydantic import Field

from cic.auth.actor import actor_of
from cic.auth.roles import current_user, guard
from cic.calls.errors import InvalidQuery
from cic.calls.schemas import WrapupOut
from cic.calls.wrapup import NOTE_MAX, TOPIC_MAX, WrapupService
from cic.http.endpoint import documented
from cic.http.schemas import Body, read_body

AgentInterface = Callable[[int | None], Awaitable[str | None]]


class WrapupIn(Body):
    """What the agent writes down after the call."""

    outcome: str = Field(title="Wynik rozmowy", description="jeden z wyników rozmowy urzędu")
    topic: str = Field("", max_length=TOPIC_MAX, title="Temat")
    note: str = Field("", max_length=NOTE_MAX, title="Notatka")


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
        body=WrapupIn,
        returns=WrapupOut,
        status=201,
        errors=(400, 401, 403, 404, 503),
    )
    async def save(request: web.Request) -> web.StreamResponse:
        await signed_in(request)
        call_id, agent = await handled_by(request)
        body = await read_body(request, WrapupIn, InvalidQuery)
        user = current_user(request)
        saved = await wrapups.save(
            call_id, agent, body.outcome, body.topic, body.note, user.username if user else ""
        )
        return web.json_response(saved, status=201)

    @documented(
        "Podsumowania rozmowy, najstarsze pierwsze",
        returns=list[WrapupOut],
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
