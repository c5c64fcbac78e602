"""JSON views of the post-call job system, for the supervisor.

GET  /api/post-call-jobs?status=failed           jobs, newest first
POST /api/post-call-jobs/{job_id}/retry          queue a failed job again (audited)
"""

from __future__ import annotations

import json
from functools import partial
from typing import Literal

from aiohttp import web
from pydantic import Field

from cic.auth.actor import actor_of
from cic.auth.roles import require
from cic.http.endpoint import documented
from cic.http.json_api import path_id
from cic.http.schemas import Query, read_query
from cic.postcall.errors import InvalidInput
from cic.postcall.schemas import JobOut
from cic.postcall.service import PostCallService

_dumps = partial(json.dumps, ensure_ascii=False)


class JobsQuery(Query):
    """Only the jobs in this state (all when empty)."""

    status: Literal["", "queued", "running", "done", "failed"] = Field("", title="Stan zadania")


def routes(service: PostCallService) -> list[web.RouteDef]:
    """The routes, bound to ``service``."""

    @documented(
        "Zadania po rozmowie (transkrypcja, tematy), najnowsze pierwsze",
        query=JobsQuery,
        returns=list[JobOut],
        errors=(400, 401, 403, 503),
    )
    @require("supervisor")
    async def list_jobs(request: web.Request) -> web.StreamResponse:
        status = read_query(request, JobsQuery, InvalidInput).status or None
        return web.json_response(await service.list_jobs(status), dumps=_dumps)

    @documented(
        "Ponowienie nieudanego zadania po rozmowie",
        returns=JobOut,
        errors=(400, 401, 403, 404, 409, 503),
    )
    @require("supervisor")
    async def retry(request: web.Request) -> web.StreamResponse:
        job_id = path_id(request, "job_id", InvalidInput)
        return web.json_response(await service.retry(job_id, await actor_of(request)), dumps=_dumps)

    return [
        web.get("/api/post-call-jobs", list_jobs),
        web.post("/api/post-call-jobs/{job_id}/retry", retry),
    ]
