"""JSON API of wrap-ups: the agent who took a call (or a supervisor) saves outcome, topic, note."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from cic.auth.errors import Forbidden
from cic.auth.roles import current_user, guard
from cic.calls.errors import CallNotFound, CallsError
from cic.calls.service import CallService
from cic.calls.wrapup import WrapupService
from cic.errors import CicError
from cic.web_json import json_object

AgentInterface = Callable[[int | None], Awaitable[str | None]]
SUPERVISING = ("supervisor", "admin")


def routes(
    wrapups: WrapupService, calls: CallService, agent_interface: AgentInterface
) -> list[web.RouteDef]:
    """``POST /api/calls/{call_id}/wrapup`` and ``GET /api/calls/{call_id}/wrapups``."""
    signed_in = guard("agent", "specialist", "supervisor")

    async def call_of(request: web.Request) -> dict[str, Any]:
        call = await calls.get_call(request.match_info["call_id"])
        if call is None:
            raise CallNotFound(request.match_info["call_id"])
        return call

    async def handled_by(request: web.Request, call: dict[str, Any]) -> str:
        """The agent interface the wrap-up is for; agents may only wrap up their own calls."""
        user = current_user(request)
        assert user is not None
        if user.role in SUPERVISING:
            return str(call.get("agent") or "")
        interface = await agent_interface(user.agent_id)
        if not interface or interface != call.get("agent"):
            raise Forbidden(
                "To nie Twoja rozmowa: podsumowanie zapisuje konsultant, który ją odebrał."
            )
        return interface

    async def save(request: web.Request) -> web.StreamResponse:
        await signed_in(request)
        try:
            call = await call_of(request)
            agent = await handled_by(request, call)
            body = await json_object(request)
            fields = {k: body.get(k, "") for k in ("outcome", "topic", "note")}
            if not all(isinstance(v, str) for v in fields.values()):
                return web.json_response(
                    {"error": "bad_wrapup", "message": "outcome, topic i note to teksty."},
                    status=400,
                )
            user = current_user(request)
            saved = await wrapups.save(
                call["call_id"], agent, fields["outcome"], fields["topic"], fields["note"],
                user.username if user else "",
            )  # fmt: skip
        except CicError as exc:
            return web.json_response(exc.to_dict(), status=exc.status)
        return web.json_response(saved, status=201)

    async def list_(request: web.Request) -> web.StreamResponse:
        await signed_in(request)
        try:
            call = await call_of(request)
            await handled_by(request, call)
        except CallsError as exc:
            return web.json_response(exc.to_dict(), status=exc.status)
        return web.json_response(await wrapups.for_call(call["call_id"]))

    return [
        web.post("/api/calls/{call_id}/wrapup", save),
        web.get("/api/calls/{call_id}/wrapups", list_),
    ]
