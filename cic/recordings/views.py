"""JSON views and playback of the recordings domain.

GET  /api/calls/{call_id}/recording              the mixed recording (HTTP Range supported)
GET  /api/calls/{call_id}/recording/{speaker}    resident's or agent's own file
GET  /api/calls/{call_id}/transcript             the redacted transcript with its topics
PUT  /api/calls/{call_id}/topics                 a supervisor's correction ``{"topics": [...]}``
PUT  /api/calls/{call_id}/legal-hold             ``{"held": true, "reason": "..."}``

Playback and transcripts are for ``speech.playback_roles`` (admin always), decided by the
service; every access and every refusal is in the audit log.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from functools import partial

from aiohttp import web

from cic.auth.actor import actor_of
from cic.auth.roles import guard, require
from cic.http.endpoint import documented
from cic.http.schemas import read_body
from cic.recordings.errors import InvalidInput
from cic.recordings.schemas import HoldIn, HoldOut, TopicsIn, TopicTag, TranscriptOut
from cic.recordings.service import RecordingsService

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_dumps = partial(json.dumps, ensure_ascii=False)


def routes(
    service: RecordingsService, hold_roles: tuple[str, ...] = ("supervisor",)
) -> list[web.RouteDef]:
    """The routes, bound to ``service``; legal holds for ``hold_roles``."""
    may_hold = guard(*hold_roles)

    @documented(
        "Nagranie rozmowy: całe albo jednej strony (mieszkaniec, konsultant)",
        description="Plik dźwiękowy; obsługuje nagłówek Range. Każde odtworzenie jest w dzienniku.",
        errors=(400, 401, 403, 404, 503),
        media="audio/wav",
    )
    @require()
    async def play(request: web.Request) -> web.StreamResponse:
        speaker = request.match_info.get("speaker", "mixed")
        path = await service.recording_file(
            request.match_info["call_id"], speaker, await actor_of(request)
        )
        response = web.FileResponse(path, chunk_size=64 * 1024)
        response.headers["Cache-Control"] = "no-store"
        response.headers["Content-Disposition"] = f'inline; filename="{path.name}"'
        return response

    @documented(
        "Transkrypcja rozmowy (z ukrytymi danymi osobowymi) i jej tematy",
        returns=TranscriptOut,
        errors=(400, 401, 403, 404, 503),
    )
    @require()
    async def transcript(request: web.Request) -> web.StreamResponse:
        out = await service.transcript(request.match_info["call_id"], await actor_of(request))
        return web.json_response(out, dumps=_dumps)

    @documented(
        "Poprawka tematów rozmowy przez kierownika zmiany",
        body=TopicsIn,
        returns=list[TopicTag],
        errors=(400, 401, 403, 404, 503),
    )
    @require("supervisor")
    async def correct(request: web.Request) -> web.StreamResponse:
        topics = (await read_body(request, TopicsIn, InvalidInput)).topics
        out = await service.correct_topics(
            request.match_info["call_id"], topics, await actor_of(request)
        )
        return web.json_response(out, dumps=_dumps)

    @documented(
        "Wstrzymanie usuwania rozmowy (blokada prawna) albo jego zdjęcie",
        body=HoldIn,
        returns=HoldOut,
        errors=(400, 401, 403, 404, 503),
    )
    async def hold(request: web.Request) -> web.StreamResponse:
        await may_hold(request)
        body = await read_body(request, HoldIn, InvalidInput)
        call_id = request.match_info["call_id"]
        state = await service.set_hold(call_id, body.held, body.reason, await actor_of(request))
        return web.json_response({"call_id": call_id, "held": state}, dumps=_dumps)

    return [
        web.get("/api/calls/{call_id}/recording", play),
        web.get("/api/calls/{call_id}/recording/{speaker}", play),
        web.get("/api/calls/{call_id}/transcript", transcript),
        web.put("/api/calls/{call_id}/topics", correct),
        web.put("/api/calls/{call_id}/legal-hold", hold),
    ]
