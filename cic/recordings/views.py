"""JSON views and playback of the recordings domain.

GET  /api/calls/{call_id}/recording              the mixed recording (HTTP Range supported)
GET  /api/calls/{call_id}/recording/{speaker}    resident's or agent's own file
GET  /api/calls/{call_id}/transcript             the redacted transcript with its topics
PUT  /api/calls/{call_id}/topics                 a supervisor's correction ``{"topics": [...]}``
PUT  /api/calls/{call_id}/legal-hold             ``{"held": true, "reason": "..."}``
GET  /api/post-call-jobs?status=failed           jobs for the supervisor
POST /api/post-call-jobs/{job_id}/retry          queue a failed job again

Playback is for ``speech.playback_roles`` (admin always); every access is in the audit log.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from aiohttp import web

from cic.auth.roles import current_user, guard, require
from cic.recordings.errors import InvalidInput, RecordingsError
from cic.recordings.service import RecordingsService, Viewer
from cic.web_json import json_object, path_id

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_dumps = partial(json.dumps, ensure_ascii=False)


def _json_errors(handler: Handler) -> Handler:
    async def wrapped(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except RecordingsError as exc:
            return web.json_response(exc.to_dict(), status=exc.status, dumps=_dumps)

    return wrapped


def _viewer(request: web.Request) -> Viewer:
    user = current_user(request)
    assert user is not None  # the guard ran first
    return Viewer(user.username, user.role, request.remote or "")


async def _body(request: web.Request) -> dict[str, Any]:
    return await json_object(request, InvalidInput)


def routes(
    service: RecordingsService,
    playback_roles: tuple[str, ...] = ("supervisor",),
    hold_roles: tuple[str, ...] = ("supervisor",),
) -> list[web.RouteDef]:
    """The routes, bound to ``service``; playback and holds for the given roles."""
    may_play = guard(*playback_roles)
    may_hold = guard(*hold_roles)

    @_json_errors
    async def play(request: web.Request) -> web.StreamResponse:
        await may_play(request)
        speaker = request.match_info.get("speaker", "mixed")
        path = await service.recording_file(
            request.match_info["call_id"], speaker, _viewer(request)
        )
        response = web.FileResponse(path, chunk_size=64 * 1024)
        response.headers["Cache-Control"] = "no-store"
        response.headers["Content-Disposition"] = f'inline; filename="{path.name}"'
        return response

    @_json_errors
    async def transcript(request: web.Request) -> web.StreamResponse:
        await may_play(request)
        out = await service.transcript(request.match_info["call_id"], _viewer(request))
        return web.json_response(out, dumps=_dumps)

    @require("supervisor")
    @_json_errors
    async def correct(request: web.Request) -> web.StreamResponse:
        topics = (await _body(request)).get("topics")
        if not isinstance(topics, list):
            raise InvalidInput("Pole topics musi być listą tematów.")
        out = await service.correct_topics(request.match_info["call_id"], topics, _viewer(request))
        return web.json_response(out, dumps=_dumps)

    @_json_errors
    async def hold(request: web.Request) -> web.StreamResponse:
        await may_hold(request)
        body = await _body(request)
        held = body.get("held")
        reason = body.get("reason", "")
        if not isinstance(held, bool) or not isinstance(reason, str):
            raise InvalidInput("Pole held musi być true albo false, reason tekstem.")
        call_id = request.match_info["call_id"]
        state = await service.set_hold(call_id, held, reason, _viewer(request))
        return web.json_response({"call_id": call_id, "held": state}, dumps=_dumps)

    @require("supervisor")
    @_json_errors
    async def list_jobs(request: web.Request) -> web.StreamResponse:
        status = request.query.get("status") or None
        return web.json_response(await service.list_jobs(status), dumps=_dumps)

    @require("supervisor")
    @_json_errors
    async def retry(request: web.Request) -> web.StreamResponse:
        job_id = path_id(request, "job_id", InvalidInput)
        return web.json_response(await service.retry(job_id, _viewer(request)), dumps=_dumps)

    return [
        web.get("/api/calls/{call_id}/recording", play),
        web.get("/api/calls/{call_id}/recording/{speaker}", play),
        web.get("/api/calls/{call_id}/transcript", transcript),
        web.put("/api/calls/{call_id}/topics", correct),
        web.put("/api/calls/{call_id}/legal-hold", hold),
        web.get("/api/post-call-jobs", list_jobs),
        web.post("/api/post-call-jobs/{job_id}/retry", retry),
    ]
