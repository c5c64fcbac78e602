"""Admin pages (``/admin``, ``/admin/agenci``, ``/admin/wydzialy``, ``/admin/kolejki``,
``/admin/urzad``) and the JSON API under ``/api/admin/`` (admin role only).

GET  /api/admin/agents                      every agent, active or not
POST /api/admin/agents                      add an agent (and optionally a console account)
PATCH /api/admin/agents/{username}          name, department, queues, fixed phone (SIP URI);
                                            ``active: true`` restores
POST /api/admin/agents/{username}/deactivate
GET|POST /api/admin/departments, PATCH /api/admin/departments/{code}
GET|POST /api/admin/queues, PATCH /api/admin/queues/{name}
GET|PATCH /api/admin/office                 hours, closed days, recording policy, pause reasons
GET  /api/admin/audit                       the newest administrative changes
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from cic.admin import validation
from cic.admin.errors import InvalidValue
from cic.admin.schemas import (
    AdminAgent,
    AgentChanges,
    DepartmentChanges,
    NewAgent,
    NewAgentOut,
    NewDepartment,
    NewQueue,
    OfficeChanges,
    OfficeView,
    QueueChanges,
    QueueOut,
)
from cic.admin.service import ACTION_LABELS, AdminService
from cic.auth.lockout import SignInGuard
from cic.auth.roles import current_user, require
from cic.auth.schemas import AuditOut
from cic.auth.templates import html, render
from cic.departments.schemas import DepartmentOut
from cic.http.endpoint import documented
from cic.http.schemas import Body, read_body

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
SECTIONS = {
    "agenci": ("admin_agents.html", "Konsultanci"),
    "wydzialy": ("admin_departments.html", "Wydziały"),
    "kolejki": ("admin_queues.html", "Kolejki"),
    "urzad": ("admin_office.html", "Urząd: godziny, nagrywanie, przerwy"),
}


async def _body(request: web.Request, model: type[Body]) -> dict[str, Any]:
    """The body read as ``model``; the fields it carried, for the admin service to check."""
    return (await read_body(request, model, InvalidValue)).given()


def _local_time(iso: object, tz: ZoneInfo) -> str:
    """An ISO timestamp as the office's wall clock, e.g. ``28.11.2026 21:33``."""
    if not isinstance(iso, str):
        return ""
    return datetime.fromisoformat(iso).astimezone(tz).strftime("%d.%m.%Y %H:%M")


def _who(request: web.Request) -> tuple[str, str]:
    user = current_user(request)
    return (user.username if user else ""), (request.remote or "")


def _sign_in_locks(guard: SignInGuard | None, tz: ZoneInfo) -> list[dict[str, Any]]:
    """Locked pairs and slowed addresses for the overview, with the office's wall clock."""
    if guard is None:
        return []
    rows = [{**lock, "until": _local_time(lock["locked_until"], tz)} for lock in guard.locks()]
    return rows + [{**slow, "username": "", "until": ""} for slow in guard.slowed()]


def routes(admin: AdminService, guard: SignInGuard | None = None) -> list[web.RouteDef]:
    """The admin pages and API; ``guard`` gives the sign-in locks shown on the overview."""

    def api(fn: Handler) -> Handler:
        return require("admin")(fn)

    @documented(
        "Panel administratora: przegląd albo jedna z sekcji (strona HTML)",
        errors=(403, 404, 503),
    )
    @require("admin")
    async def page(request: web.Request) -> web.StreamResponse:
        section = request.match_info.get("section", "")
        if section and section not in SECTIONS:
            raise web.HTTPNotFound()
        template, title = SECTIONS.get(section, ("admin.html", "Administracja"))
        departments = await admin.departments.departments()
        queues = await admin.queues.queues()
        agents = await admin.list_agents()
        tz = ZoneInfo(admin.office.office.timezone)
        audit = [
            {**e, "when": _local_time(e["at"], tz), "label": ACTION_LABELS.get(e["action"], "")}
            for e in await admin.audit_entries(20)
        ]
        settings = admin.office.as_dict()
        stored = {key: {**meta, "when": _local_time(meta["updated_at"], tz)}
                  for key, meta in settings["stored"].items()}  # fmt: skip
        office: dict[str, Any] = {**settings, "stored": stored}
        context = {
            "section": section, "heading": title, "sections": SECTIONS, "agents": agents,
            "departments": departments, "queues": queues, "office": office,
            "strategies": validation.STRATEGIES, "weekdays": validation.WEEKDAYS_PL,
            "policies": validation.POLICY_LABELS, "audit": audit,
            "first_line": admin.first_line_queue, "locks": _sign_in_locks(guard, tz),
        }  # fmt: skip
        return html(render(request, template, **context))

    @documented(
        "Wszyscy konsultanci, aktywni i nieaktywni, z kolejkami i kontami",
        returns=list[AdminAgent],
        errors=(401, 403, 503),
    )
    @api
    async def list_agents(_request: web.Request) -> web.StreamResponse:
        return web.json_response(await admin.list_agents())

    @documented(
        "Nowy konsultant (opcjonalnie z kontem w konsoli)",
        description="Hasło nowego konta jest w odpowiedzi (``account``) tylko ten jeden raz.",
        returns=NewAgentOut,
        body=NewAgent,
        status=201,
        errors=(400, 401, 403, 404, 409, 503),
    )
    @api
    async def create_agent(request: web.Request) -> web.StreamResponse:
        out = await admin.create_agent(await _body(request, NewAgent), *_who(request))
        return web.json_response(out, status=201)

    @documented(
        "Zmiana danych konsultanta albo jego przywrócenie",
        returns=AdminAgent,
        body=AgentChanges,
        errors=(400, 401, 403, 404, 503),
    )
    @api
    async def update_agent(request: web.Request) -> web.StreamResponse:
        username = request.match_info["username"]
        return web.json_response(
            await admin.update_agent(username, await _body(request, AgentChanges), *_who(request))
        )

    @documented("Dezaktywacja konsultanta", returns=AdminAgent, errors=(401, 403, 404, 503))
    @api
    async def deactivate_agent(request: web.Request) -> web.StreamResponse:
        username = request.match_info["username"]
        return web.json_response(await admin.deactivate_agent(username, *_who(request)))

    @documented(
        "Wydziały według symbolu",
        returns=list[DepartmentOut],
        errors=(401, 403, 503),
    )
    @api
    async def list_departments(_request: web.Request) -> web.StreamResponse:
        return web.json_response(await admin.departments.departments())

    @documented(
        "Nowy wydział",
        body=NewDepartment,
        returns=DepartmentOut,
        status=201,
        errors=(400, 401, 403, 409, 503),
    )
    @api
    async def create_department(request: web.Request) -> web.StreamResponse:
        out = await admin.create_department(await _body(request, NewDepartment), *_who(request))
        return web.json_response(out, status=201)

    @documented(
        "Zmiana nazwy, godzin lub aktywności wydziału",
        body=DepartmentChanges,
        returns=DepartmentOut,
        errors=(400, 401, 403, 404, 503),
    )
    @api
    async def update_department(request: web.Request) -> web.StreamResponse:
        code = request.match_info["code"]
        out = await admin.update_department(
            code, await _body(request, DepartmentChanges), *_who(request)
        )
        return web.json_response(out)

    @documented(
        "Kolejki z wydziałem i liczbą konsultantów",
        returns=list[QueueOut],
        errors=(401, 403, 503),
    )
    @api
    async def list_queues(_request: web.Request) -> web.StreamResponse:
        return web.json_response(await admin.queues.queues())

    @documented(
        "Nowa kolejka",
        returns=QueueOut,
        body=NewQueue,
        status=201,
        errors=(400, 401, 403, 404, 409, 503),
    )
    @api
    async def create_queue(request: web.Request) -> web.StreamResponse:
        out = await admin.queues.create_queue(await _body(request, NewQueue), *_who(request))
        return web.json_response(out, status=201)

    @documented(
        "Zmiana tytułu, strategii lub wydziału kolejki",
        returns=QueueOut,
        body=QueueChanges,
        errors=(400, 401, 403, 404, 503),
    )
    @api
    async def update_queue(request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        out = await admin.queues.update_queue(
            name, await _body(request, QueueChanges), *_who(request)
        )
        return web.json_response(out)

    @documented(
        "Ustawienia urzędu: obowiązujące, domyślne, kto i kiedy zmienił",
        returns=OfficeView,
        errors=(401, 403),
    )
    @api
    async def office(_request: web.Request) -> web.StreamResponse:
        return web.json_response(admin.office.as_dict())

    @documented(
        "Zmiana ustawień urzędu: godziny, dni wolne, nagrywanie, przerwy, menu",
        description="Wartość ``null`` przywraca ustawienie domyślne.",
        body=OfficeChanges,
        returns=OfficeView,
        errors=(400, 401, 403, 503),
    )
    @api
    async def update_office(request: web.Request) -> web.StreamResponse:
        return web.json_response(
            await admin.office.update(await _body(request, OfficeChanges), *_who(request))
        )

    @documented(
        "Najnowsze zmiany administracyjne",
        returns=list[AuditOut],
        errors=(401, 403, 503),
    )
    @api
    async def audit_log(_request: web.Request) -> web.StreamResponse:
        return web.json_response(await admin.audit_entries())

    return [
        web.get("/admin", page),
        web.get("/admin/{section}", page),
        web.get("/api/admin/agents", list_agents),
        web.post("/api/admin/agents", create_agent),
        web.patch("/api/admin/agents/{username}", update_agent),
        web.post("/api/admin/agents/{username}/deactivate", deactivate_agent),
        web.get("/api/admin/departments", list_departments),
        web.post("/api/admin/departments", create_department),
        web.patch("/api/admin/departments/{code}", update_department),
        web.get("/api/admin/queues", list_queues),
        web.post("/api/admin/queues", create_queue),
        web.patch("/api/admin/queues/{name}", update_queue),
        web.get("/api/admin/office", office),
        web.patch("/api/admin/office", update_office),
        web.get("/api/admin/audit", audit_log),
    ]
