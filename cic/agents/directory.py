"""Who is free right now: departments with their agents' live presence, and the queues.

``GET /api/directory`` is what a first-line agent looks at before consulting a colleague or
sending the resident to a department: every active agent under their department (with the
state the presence service has now) and every queue a call can be sent to.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.orm import Session

from cic.agents.models import Agent, Department, Queue
from cic.agents.service import AgentService
from cic.auth.roles import require
from cic.db import Store
from cic.http.endpoint import documented

NO_DEPARTMENT = "Bez wydziału"


def _read(session: Session) -> tuple[list[tuple[str, str, str]], list[dict[str, str]]]:
    agents = session.execute(
        select(Agent.username, Department.code, Department.name)
        .outerjoin(Department, Department.id == Agent.department_id)
        .where(Agent.active)
        .order_by(Department.name, Agent.display_name)
    ).all()
    queues = session.execute(
        select(Queue.name, Queue.title, Department.code)
        .outerjoin(Department, Department.id == Queue.department_id)
        .order_by(Queue.title)
    ).all()
    return (
        [(u, code or "", name or NO_DEPARTMENT) for u, code, name in agents],
        [{"name": n, "title": t, "department": c or ""} for n, t, c in queues],
    )


async def directory(store: Store, agents: AgentService) -> dict[str, Any]:
    """Departments with their agents' presence now, and the queues."""
    rows, queues = await store.run(_read)
    departments: dict[str, dict[str, Any]] = {}
    known = {a.username for a in agents.agents()}
    for username, code, name in rows:
        if username not in known:
            continue
        group = departments.setdefault(code, {"code": code, "name": name, "agents": []})
        presence = agents.presence(username)
        group["agents"].append({k: presence[k] for k in ("username", "display_name", "state",
                                                          "label", "since")})  # fmt: skip
    ordered = sorted(departments.values(), key=lambda d: (d["code"] == "", d["name"]))
    return {"departments": ordered, "queues": queues}


def routes(store: Store, agents: AgentService) -> list[web.RouteDef]:
    """The route of the directory."""

    @documented(
        "Kto jest teraz wolny: wydziały z konsultantami oraz kolejki",
        returns={
            "type": "object",
            "properties": {
                "departments": {"type": "array", "items": {"type": "object"}},
                "queues": {"type": "array", "items": {"type": "object"}},
            },
        },
        errors=(401, 403, 503),
    )
    @require("agent", "specialist", "supervisor")
    async def show(_request: web.Request) -> web.StreamResponse:
        return web.json_response(await directory(store, agents))

    return [web.get("/api/directory", show)]
