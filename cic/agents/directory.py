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

from cic.agents.models import Agent, Queue
from cic.agents.service import AgentService
from cic.auth.roles import require
from cic.db import Store
from cic.departments.service import all_by_id
from cic.http.endpoint import documented

NO_DEPARTMENT = "Bez wydziału"


def _read(session: Session) -> tuple[list[tuple[str, str, str]], list[dict[str, str]]]:
    """Active agents (username, department code, department name) by display name (the caller
    orders the departments); the queues with their department's code."""
    departments = all_by_id(session)
    agents = session.execute(
        select(Agent.username, Agent.department_id).where(Agent.active).order_by(Agent.display_name)
    ).all()
    queues = session.execute(
        select(Queue.name, Queue.title, Queue.department_id).order_by(Queue.title)
    ).all()

    def of(department_id: int | None) -> tuple[str, str]:
        known = departments.get(department_id) if department_id is not None else None
        return (known.code, known.name) if known else ("", "")

    rows = []
    for username, department_id in agents:
        code, name = of(department_id)
        rows.append((username, code, name or NO_DEPARTMENT))
    return rows, [{"name": n, "title": t, "department": of(d)[0]} for n, t, d in queues]


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
