"""JSON API of agents: list, create, login, logout, pause, unpause."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from cic.agents.service import AgentService
from cic.auth.errors import Forbidden
from cic.auth.roles import current_user, require
from cic.http.endpoint import documented
from cic.http.json_api import json_object

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
NEW_AGENT: dict[str, Any] = {
    "type": "object",
    "properties": {
        "username": {"type": "string"},
        "display_name": {"type": "string", "minLength": 1},
        "static_contact": {"type": ["string", "null"], "description": "SIP URI stałego telefonu"},
        "queues": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["username", "display_name"],
}
PAUSE: dict[str, Any] = {
    "type": "object",
    "properties": {"reason": {"type": "string", "minLength": 1, "maxLength": 60}},
    "required": ["reason"],
}


async def _json_body(request: web.Request) -> dict[str, Any]:
    return await json_object(request)


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
        returns={"type": "array", "items": {"type": "object"}},
        errors=(401,),
    )
    async def list_agents(_request: web.Request) -> web.StreamResponse:
        return web.json_response([service.presence(a.username) for a in service.agents()])

    @documented(
        "Nowy konsultant (stanowisko w centrali)",
        body=NEW_AGENT,
        status=201,
        errors=(400, 401, 403, 503),
    )
    @require("admin")
    async def create(request: web.Request) -> web.StreamResponse:
        body = await _json_body(request)
        username, name = body.get("username"), body.get("display_name")
        contact, queues = body.get("static_contact"), body.get("queues")
        if not isinstance(username, str) or not isinstance(name, str) or not name.strip():
            raise web.HTTPBadRequest(
                text='{"error": "bad_agent", "message": "Wymagane: username i display_name."}',
                content_type="application/json",
            )
        if queues is not None and not (
            isinstance(queues, list) and all(isinstance(q, str) for q in queues)
        ):
            raise web.HTTPBadRequest(
                text='{"error": "bad_agent", "message": "queues: lista nazw kolejek."}',
                content_type="application/json",
            )
        record = await service.create_agent(
            username, name.strip(), queues=queues or [default_queue], static_contact=contact
        )
        return web.json_response(service.presence(record.username), status=201)

    @documented("Stan jednego konsultanta", errors=(401, 404))
    async def presence(request: web.Request) -> web.StreamResponse:
        return web.json_response(service.presence(request.match_info["username"]))

    @documented(
        "Zalogowanie, wylogowanie, przerwa lub koniec przerwy konsultanta",
        description="Konsultant zmienia tylko własny stan. Treść (powód) czyta tylko ``pause``.",
        body=PAUSE,
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
        body = await _json_body(request)
        reason = body.get("reason")
        if not isinstance(reason, str):
            raise web.HTTPBadRequest(
                text='{"error": "bad_reason", "message": "Podaj powód przerwy."}',
                content_type="application/json",
            )
        return web.json_response(await service.pause(username, reason))

    return [
        web.get("/api/agents", list_agents),
        web.post("/api/agents", create),
        web.get("/api/agents/{username}", presence),
        web.post("/api/agents/{username}/{action:login|logout|pause|unpause}", command),
    ]
