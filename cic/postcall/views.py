"""JSON views of the post-call job system, for the supervisor.

GET  /api/post-call-jobs?status=failed           jobs, newest first
POST /api/post-call-jobs/{job_id}/retry          queue a failed job again (audited)
"""

from __future__ import annotations

import json
from functools import partial

from aiohttp import web

from cic.auth.actor import actor_of
from cic.auth.roles import require
from cic.http.endpoint import documented
from cic.http.json_api import path_id
from cic.postcall.errors import InvalidInput
from cic.postcall.service import PostCallService

_dumps = partial(json.dumps, ensure_ascii=False)


def routes(service: PostCallService) -> list[web.RouteDef]:
    """The routes, bound to ``service``."""

    @documented(
        "Zadania po rozmowie (transkrypcja, tematy), najnowsze pierwsze",
        query={"status": {"type": "string", "enum": ["queued", "running", "done", "failed"]}},
        returns={"type": "array", "items": {"type": "object"}},
        errors=(400, 401, 403, 503),
    )
    @require("supervisor")
    async def list_jobs(request: web.Request) -> web.StreamResponse:
        status = request.query.get("status") or None
        return web.json_response(await service.list_jobs(status), dumps=_dumps)

    @documented("Ponowienie nieudanego zadania po rozmowie", errors=(400, 401, 403, 404, 409, 503))
    @require("supervisor")
    async def retry(request: web.Request) -> web.StreamResponse:
        job_id = path_id(request, "job_id", InvalidInput)
        return web.json_response(await service.retry(job_id, await actor_of(request)), dumps=_dumps)

    return [
        web.get("/api/post-call-jobs", list_jobs),
        web.post("/api/post-call-jobs/{job_id}/retry", retry),
    ]
