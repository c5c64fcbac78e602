"""JSON API of transfers (roles agent, specialist: own call only; supervisor: any call).

POST /api/calls/{call_id}/transfer            {kind: consult|blind, target: {agent|queue: name},
                                               note, matter?, article?}  -> 201
POST /api/calls/{call_id}/transfer/complete   the consult becomes a transfer -> 200
POST /api/calls/{call_id}/transfer/cancel     back to the resident -> 200
GET  /api/calls/{call_id}/transfers           every transfer of the call with its legs

Errors: ``{"error": <stable id>, "message": <Polish text>}``; 409 ``transfer_in_progress`` when
the call already has an open transfer (another console or a double click).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from functools import partial

from aiohttp import web

from cic.auth.roles import current_user, guard
from cic.http.endpoint import documented
from cic.http.schemas import read_body
from cic.transfers.errors import InvalidTransfer
from cic.transfers.schemas import TransferIn, TransferOut, TransferWithLegs
from cic.transfers.service import TransferService

AgentInterface = Callable[[int | None], Awaitable[str | None]]
SUPERVISING = ("supervisor", "admin")
_dumps = partial(json.dumps, ensure_ascii=False)


def routes(service: TransferService, agent_interface: AgentInterface) -> list[web.RouteDef]:
    """The transfers API; ``agent_interface(agent_id)`` is the signed-in agent's device."""
    signed_in = guard("agent", "specialist", "supervisor")

    async def requester(request: web.Request) -> tuple[str, str | None]:
        """(username, interface of the asking agent or None for a supervisor)."""
        await signed_in(request)
        user = current_user(request)
        assert user is not None
        if user.role in SUPERVISING:
            return user.username, None
        interface = await agent_interface(user.agent_id)
        return user.username, interface or "-"

    @documented(
        "Przekazanie rozmowy konsultantowi lub do kolejki (z konsultacją lub od razu)",
        description="Konsultant tylko swoją rozmowę; 409, gdy rozmowa jest już przekazywana.",
        body=TransferIn,
        returns=TransferOut,
        status=201,
        errors=(400, 401, 403, 409, 502, 503),
    )
    async def start(request: web.Request) -> web.StreamResponse:
        username, interface = await requester(request)
        body = await read_body(request, TransferIn, InvalidTransfer)
        transfer = await service.start(
            request.match_info["call_id"], body.kind, body.target.pair(), body.note,
            requested_by=username, requester=interface, matter=body.matter, article=body.article,
        )  # fmt: skip
        return web.json_response(transfer, status=201, dumps=_dumps)

    @documented(
        "Koniec konsultacji: przekazanie rozmowy albo powrót do mieszkańca",
        returns=TransferOut,
        errors=(401, 403, 409, 502, 503),
    )
    async def finish(request: web.Request) -> web.StreamResponse:
        _username, interface = await requester(request)
        call_id = request.match_info["call_id"]
        if request.match_info["action"] == "complete":
            transfer = await service.complete(call_id, interface)
        else:
            transfer = await service.cancel(call_id, interface)
        return web.json_response(transfer, dumps=_dumps)

    @documented(
        "Przekazania rozmowy z ich etapami, najstarsze pierwsze",
        returns=list[TransferWithLegs],
        errors=(401, 403, 503),
    )
    async def list_(request: web.Request) -> web.StreamResponse:
        _username, interface = await requester(request)
        transfers = await service.for_call(request.match_info["call_id"])
        if interface is not None:
            involved = {interface}
            transfers = [
                t for t in transfers if involved & {t["from_agent"], t["target_interface"]}
            ]
        return web.json_response(transfers, dumps=_dumps)

    return [
        web.post("/api/calls/{call_id}/transfer", start),
        web.post("/api/calls/{call_id}/transfer/{action:complete|cancel}", finish),
        web.get("/api/calls/{call_id}/transfers", list_),
    ]
