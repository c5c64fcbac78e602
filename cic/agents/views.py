"""JSON API of agents: list, create, login, logout, pause, unpause."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from cic.agents.errors import BadAgent, BadReason
from cic.agents.schemas import NewAgent, Pause, Presence
from cic.agents.service import AgentService
from cic.auth.errors import Forbidden
from cic.auth.roles import current_user, require
from cic.http.endpoint import documented
from cic.http.schemas import read_body

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


async def _own_or_supervising(request: web.Request, service: AgentService, username: str) -> None:
    """Agents change only their own presence; supervisors and admins anyone's."""
    user = current_user(request)
    if user is None or user.role in ("supervisor", "admin"):
        return
    if await service.interface_of(user.agent_id) != service.get(username).interface:
        raise Forbidden("Możesz zmieniać tylko własny stan.")


def routes(service: AgentService, default_queue: str) -> list[web.RouteDef]:
    """The routes of the agents API."""

    @documented(
        "Konsultanci i ich bieżący stan",
        returns=list[Presence],
        errors=(401,),
    )
    async def list_agents(_request: web.Request) -> web.StreamResponse:
        return web.json_response([service.presence(a.username) for a in service.agents()])

    @documented(
        "Nowy konsultant (stanowisko w centrali)",
        body=NewAgent,
        returns=Presence,
        status=201,
        errors=(400, 401, 403, 503),
    )
    @require("admin")
    async def create(request: web.Request) -> web.StreamResponse:
        new = await read_body(request, NewAgent, BadAgent)
        record = await service.create_agent(
            new.username,
            new.display_name,
            queues=new.queues or [default_queue],
            static_contact=new.static_contact,
        )
        return web.json_response(service.presence(record.username), status=201)

    @documented("Stan jednego konsultanta", returns=Presence, errors=(401, 404))
    async def presence(request: web.Request) -> web.StreamResponse:
        return web.json_response(service.presence(request.match_info["username"]))

    @documented(
        "Zalogowanie, wylogowanie, przerwa lub koniec przerwy konsultanta",
        description="Konsultant zmienia tylko własny stan. Treść (powód) czyta tylko ``pause``.",
        body=Pause,
        returns=Presence,
        errors=(400, 401, 403, 404, 503),
    )
    @require("agent", "specialist", "supervisor")
    async def command(request: web.Request) -> web.StreamResponse:
        username, action = request.match_info["username"], request.match_info["action"]
        await _own_or_supervising(request, service, username)
        if action == "login":
            return web.json_response(await service.login(username))
        if action == "logout":
            return web.json_response(await service.logout(username))
        if action == "unpause":
            return web.json_response(await service.unpause(username))
        reason = (await read_body(request, Pause, BadReason)).reason
        return web.json_response(await service.pause(username, reason))

    return [
        web.get("/api/agents", list_agents),
        web.post("/api/agents", create),
        web.get("/api/agents/{username}", presence),
        web.post("/api/agents/{username}/{action:login|logout|pause|unpause}", command),
    ]
