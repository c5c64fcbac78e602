"""``/konsola`` (the agent's page) and ``/ws/agent`` (presence and screen pops for that agent).

The page gets the agent's SIP credentials (generated, never shown elsewhere; pages are sent
with ``Cache-Control: no-store``). The websocket sends the agent's own presence changes and,
when a call is offered to the agent's phone, a screen pop: the caller, their earlier calls
and wrap-ups.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from cic.agents.errors import AgentNotFound
from cic.agents.service import AgentRecord, AgentService
from cic.auth.csrf import check_ws_origin
from cic.auth.roles import current_user, require
from cic.auth.templates import html, render
from cic.bus import Bus
from cic.calls.history import earlier_calls
from cic.calls.service import CallService
from cic.config import Settings
from cic.console.phone_url import sip_websocket_url
from cic.credentials import Credentials
from cic.http.endpoint import documented
from cic.http.live import stream
from cic.residents.numbers import spellings
from cic.residents.service import ResidentService

log = logging.getLogger(__name__)
ROLES = ("agent", "specialist", "supervisor")
#: ``(caller number) -> the caller's open cases`` (signature, status, unit, deadline).
OpenMatters = Callable[[str], Awaitable[list[dict[str, Any]]]]


async def _my_agent(request: web.Request, agents: AgentService) -> AgentRecord | None:
    user = current_user(request)
    interface = await agents.interface_of(user.agent_id if user else None)
    if interface is None:
        return None
    try:
        return agents.get(interface.removeprefix("PJSIP/agent-"))
    except AgentNotFound:
        return None


def routes(
    settings: Settings,
    credentials: Credentials,
    agents: AgentService,
    calls: CallService,
    bus: Bus,
    residents: ResidentService | None = None,
    matters: OpenMatters | None = None,
) -> list[web.RouteDef]:
    """The console page and its websocket; ``residents`` names known callers in the pop and
    ``matters`` lists their open cases."""

    @documented("Konsola konsultanta (strona HTML)", errors=(403, 503))
    @require(*ROLES)
    async def page(request: web.Request) -> web.StreamResponse:
        agent = await _my_agent(request, agents)
        phone: dict[str, str] | None = None
        if agent is not None:
            phone = {
                "wsUrl": sip_websocket_url(settings, request.url.host or "127.0.0.1"),
                "sipUri": f"sip:{agent.endpoint}@{settings.asterisk.sip_host}",
                "password": credentials.sip_password(agent.endpoint),
                "displayName": agent.display_name,
            }
        office = settings.office
        return html(
            render(
                request,
                "console.html",
                agent=agent,
                phone_json=_script_json(phone),
                presence_json=_script_json(agents.presence(agent.username) if agent else None),
                pause_reasons=agents.pause_reasons,  # the administrators' stored list
                outcomes=office.wrapup_outcomes,
                wrapup_seconds=office.wrapup_seconds,
                timezone=office.timezone,
            )
        )

    @documented(
        "Konsola na żywo: stan konsultanta, okna z danymi dzwoniącego, przekazania (WebSocket)",
        status=101,
        errors=(403, 404, 503),
    )
    @require(*ROLES)
    async def live(request: web.Request) -> web.StreamResponse:
        agent = await _my_agent(request, agents)
        if agent is None:
            return web.json_response(
                {"error": "no_agent", "message": "Konto nie jest powiązane z konsultantem."},
                status=404,
            )
        mine = agent

        async def outgoing(_topic: str, message: dict[str, Any]) -> dict[str, Any] | None:
            return await _for_agent(message, mine, calls, residents, matters)

        first = {"type": "AgentPresence", **agents.presence(agent.username)}
        topics = ("agent", "call", "transfer", "channel")
        return await stream(
            request, bus, topics, origin_ok=check_ws_origin, first=first, outgoing=outgoing
        )

    return [web.get("/konsola", page), web.get("/ws/agent", live)]


async def _caller(
    residents: ResidentService | None, number: str
) -> tuple[dict[str, Any] | None, list[str] | None]:
    """The known resident with this number (id, name, numbers) and every spelling of their
    numbers; ``(None, None)`` when unknown or when the lookup fails (the pop goes on)."""
    if residents is None:
        return None, None
    try:
        found = await residents.lookup(number)
    except Exception:
        log.warning("screen pop: resident lookup failed", exc_info=True)
        return None, None
    if found is None:
        return None, None
    numbers = [form for n in found["numbers"] for form in spellings(n["number"])]
    return {k: found[k] for k in ("id", "name", "numbers")}, numbers


async def _matters(matters: OpenMatters | None, number: str) -> list[dict[str, Any]]:
    """The caller's open cases for the pop; none when unknown or when the lookup fails."""
    if matters is None:
        return []
    try:
        return await asyncio.wait_for(matters(number), 1.0)
    except Exception:
        log.warning("screen pop: open matters not known", exc_info=True)
        return []


async def _contacts(
    residents: ResidentService | None, resident: dict[str, Any] | None
) -> list[dict[str, Any]]:
    """The known caller's e-mails, web-form messages and visits for the pop (newest first);
    none when unknown or when the lookup fails (the pop goes on)."""
    if residents is None or resident is None:
        return []
    try:
        found = await asyncio.wait_for(residents.channel_contacts(int(resident["id"])), 1.0)
    except Exception:
        log.warning("screen pop: contacts in other channels not known", exc_info=True)
        return []
    return found[:10]


async def _for_agent(
    message: dict[str, Any],
    agent: AgentRecord,
    calls: CallService,
    residents: ResidentService | None = None,
    matters: OpenMatters | None = None,
) -> dict[str, Any] | None:
    """What of a bus message this agent's console needs (None: nothing)."""
    kind = message.get("type")
    if kind == "AgentPresence":
        if message.get("username") == agent.username:
            return message
        keys = ("username", "display_name", "state", "label")  # for the "who is free" list
        return {"type": "ColleaguePresence", **{k: message.get(k) for k in keys}}
    if kind == "TransferOffered" and message.get("to_agent") == agent.interface:
        number = str(message.get("caller_number") or "")
        resident, numbers = await _caller(residents, number)
        history = await earlier_calls(
            calls.store, number, exclude=str(message.get("call_id")), limit=10, numbers=numbers,
        )  # fmt: skip
        return {**message, "history": history, "resident": resident,
                "matters": await _matters(matters, number),
                "channels": await _contacts(residents, resident)}  # fmt: skip
    if kind == "TransferChanged":
        transfer = message.get("transfer")
        if isinstance(transfer, dict) and transfer.get("from_agent") == agent.interface:
            fields = ("id", "call_id", "kind", "state", "target")
            return {"type": "TransferChanged", **{k: transfer.get(k) for k in fields}}
        return None
    if kind == "CallOffered" and message.get("agent") == agent.interface:
        call = await calls.get_call(str(message.get("call_id")))
        if call is None:
            return None
        resident, numbers = await _caller(residents, call["caller_number"])
        history = await earlier_calls(
            calls.store, call["caller_number"], exclude=call["call_id"], limit=10,
            numbers=numbers,
        )  # fmt: skip
        pop = {k: call.get(k) for k in ("call_id", "caller_number", "caller_name", "queue")}
        return {"type": "ScreenPop", **pop, "routing_reason": call.get("routing_reason"),
                "history": history, "resident": resident,
                "matters": await _matters(matters, call["caller_number"]),
                "channels": await _contacts(residents, resident)}  # fmt: skip
    if kind == "MessageQueueChanged":
        return message
    if kind in ("CallAnswered", "CallEnded", "CallWrappedUp") and message.get("call_id"):
        return {"type": kind, "call_id": message.get("call_id"), "agent": message.get("agent")}
    return None


def _script_json(value: object) -> str:
    """JSON safe inside a <script> element (no ``</script>`` can be formed)."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
