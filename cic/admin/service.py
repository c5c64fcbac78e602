"""Administration of agents (with their console accounts) and the parts admin pages need.

Agents change through :class:`~cic.agents.service.AgentService`, which keeps its in-memory
directory and Asterisk in step (endpoints are provisioned and reloaded without a restart);
departments through :class:`~cic.departments.service.DepartmentService`, which writes their
audit entries. This service adds the rules for what an administrator enters and the audit
log of agents.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from cic.admin import validation
from cic.admin.errors import Conflict, InvalidValue, NotFound
from cic.admin.office import OfficeAdmin
from cic.admin.queues import QueueAdmin
from cic.admin.schemas import AccountOut, AdminAgent, NewAgentOut, SeatOut
from cic.agents.errors import AgentNotFound
from cic.agents.models import Agent, Queue, QueueMembership
from cic.agents.service import AgentService, Keep
from cic.auth import audit, passwords, users
from cic.auth.models import User
from cic.auth.schemas import AuditOut
from cic.db import utcnow
from cic.departments.schemas import DepartmentOut
from cic.departments.service import DepartmentService, all_by_id, department_id

T = TypeVar("T")
AGENT_USERNAME = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
ACCOUNT_ROLES = ("agent", "specialist")
ACTION_LABELS = {
    "agent_created": "dodano konsultanta",
    "agent_updated": "zmieniono konsultanta",
    "agent_deactivated": "dezaktywowano konsultanta",
    "agent_activated": "przywrócono konsultanta",
    "department_created": "dodano wydział",
    "department_updated": "zmieniono wydział",
    "queue_created": "dodano kolejkę",
    "queue_updated": "zmieniono kolejkę",
    "office_settings_changed": "zmieniono ustawienia urzędu",
    "sign_in_locked": "zablokowano logowanie (login z adresu)",
    "sign_in_unlocked": "zdjęto blokadę logowania",
}
ADMIN_ACTIONS = tuple(ACTION_LABELS)
UPDATABLE = ("display_name", "department", "queues", "static_contact")


@dataclass
class AdminService:
    """Everything the admin pages change: agents here, the rest in its own part."""

    agents: AgentService
    departments: DepartmentService
    queues: QueueAdmin
    office: OfficeAdmin
    first_line_queue: str

    async def list_agents(self) -> list[AdminAgent]:
        """Every agent, active or not, with department, queues and console account."""

        def read(session: Session) -> list[AdminAgent]:
            codes = {i: d.code for i, d in all_by_id(session).items()}
            accounts: dict[int, list[AccountOut]] = {}
            for user in session.scalars(select(User).where(User.agent_id.is_not(None))):
                accounts.setdefault(user.agent_id or 0, []).append(
                    {"username": user.username, "role": user.role, "active": user.active}
                )
            queues: dict[int, list[SeatOut]] = {}
            for agent_id, name, penalty in session.execute(
                select(QueueMembership.agent_id, Queue.name, QueueMembership.penalty)
                .join(Queue, Queue.id == QueueMembership.queue_id)
                .order_by(Queue.name)
            ):
                queues.setdefault(agent_id, []).append({"queue": name, "penalty": penalty})
            return [
                {"username": a.username, "display_name": a.display_name, "endpoint": a.endpoint,
                 "static_contact": a.static_contact,
                 "department": codes.get(a.department_id) if a.department_id else None,
                 "active": a.active, "queues": queues.get(a.id, []),
                 "accounts": accounts.get(a.id, []), "state": ""}
                for a in session.scalars(select(Agent).order_by(Agent.username))
            ]  # fmt: skip

        rows = await self.store_run(read)
        for row in rows:
            row["state"] = self.agents.presence(row["username"])["label"] if row["active"] else ""
        return rows

    async def create_agent(
        self, body: dict[str, Any], actor: str, ip: str = ""
    ) -> AdminAgent | NewAgentOut:
        """Add an agent (endpoint provisioned at once); optionally their console account.

        The generated password of a new account is returned once and never stored in clear.
        """
        username = body.get("username")
        if not isinstance(username, str) or not AGENT_USERNAME.fullmatch(username):
            raise InvalidValue("Login konsultanta: małe litery ASCII, cyfry i '-', do 63 znaków.")
        name = validation.display_name(body.get("display_name"))
        queues = validation.memberships(
            body.get("queues", [{"queue": self.first_line_queue, "penalty": 0}])
        )
        contact = validation.static_contact(body.get("static_contact"))
        role = body.get("role", "agent")
        create_user = body.get("create_account", False) is True
        if create_user and role not in ACCOUNT_ROLES:
            raise InvalidValue("Rola konta: agent albo specialist.")

        def check(session: Session) -> int | None:
            if session.scalar(select(Agent).where(Agent.username == username)) is not None:
                raise Conflict(f"Konsultant {username} już istnieje.")
            if create_user and users.find(session, username) is not None:
                raise Conflict(f"Konto {username} już istnieje.")
            known = set(session.scalars(select(Queue.name).where(Queue.name.in_(queues))))
            missing = sorted(set(queues) - known)
            if missing:
                raise NotFound(f"Nie ma kolejki {missing[0]!r}.")
            return department_id(session, body.get("department"))

        dept = await self.store_run(check)
        await self.agents.create_agent(
            username, name, queues=list(queues), static_contact=contact, penalties=queues,
            department_id=dept,
        )  # fmt: skip
        password = passwords.generate_password() if create_user else None

        def record(session: Session) -> None:
            audit.record(
                session, "agent_created", actor=actor, target=username, ip=ip,
                display_name=name, queues=queues, department=body.get("department"),
            )  # fmt: skip
            if password is not None:
                users.add(session, username, name, str(role), password, agent_username=username,
                          actor=actor, now=utcnow())  # fmt: skip

        await self.store_run(record)
        agent = await self._agent(username)
        if password is None:
            return agent
        return {**agent, "account": {"username": username, "role": str(role),
                                     "initial_password": password}}  # fmt: skip

    async def update_agent(
        self, username: str, body: dict[str, Any], actor: str, ip: str = ""
    ) -> AdminAgent:
        """Change ``display_name``, ``department``, ``queues`` or ``static_contact`` (``null``:
        the browser softphone); ``active`` brings one back."""
        if body.get("active") is True and not await self._is_active(username):
            await self.agents.reactivate_agent(username)
            await self._audit("agent_activated", actor, username, ip)
        name = validation.display_name(body["display_name"]) if "display_name" in body else None
        queues = validation.memberships(body["queues"]) if "queues" in body else None
        contact: str | Keep | None = Keep.KEEP
        if "static_contact" in body:
            contact = validation.static_contact(body["static_contact"])
        dept: int | Keep | None = Keep.KEEP
        if "department" in body:
            code = body["department"]
            dept = await self.store_run(lambda s: department_id(s, code))
        if name is None and queues is None and isinstance(dept, Keep) and isinstance(contact, Keep):
            if "active" in body:
                return await self._agent(username)
            raise InvalidValue(
                "Konsultant: nic do zmiany (display_name, department, queues, static_contact)."
            )
        try:
            await self.agents.update_agent(
                username, display_name=name, department_id=dept, queues=queues,
                static_contact=contact,
            )  # fmt: skip
        except AgentNotFound:
            raise NotFound(f"Nie ma aktywnego konsultanta {username!r}.") from None
        changes = {k: body[k] for k in UPDATABLE if k in body}
        await self._audit("agent_updated", actor, username, ip, changes=changes)
        return await self._agent(username)

    async def deactivate_agent(self, username: str, actor: str, ip: str = "") -> AdminAgent:
        """Log the agent out, stop their endpoint (reprovisioned) and mark them inactive."""
        try:
            await self.agents.deactivate_agent(username)
        except AgentNotFound:
            raise NotFound(f"Nie ma aktywnego konsultanta {username!r}.") from None
        await self._audit("agent_deactivated", actor, username, ip)
        return await self._agent(username)

    async def create_department(
        self, body: dict[str, Any], actor: str, ip: str = ""
    ) -> DepartmentOut:
        """Add a department: ``code``, ``name``, optional ``hours`` and ``active``."""
        code = validation.department_code(body.get("code"))
        fields = validation.department_fields(body, partial=False)
        return await self.departments.create(code, fields, actor, ip)

    async def update_department(
        self, code: str, body: dict[str, Any], actor: str, ip: str = ""
    ) -> DepartmentOut:
        """Change a department's ``name``, ``hours`` or ``active`` (the code stays)."""
        fields = validation.department_fields(body, partial=True)
        if not fields:
            raise InvalidValue("Wydział: nic do zmiany (name, hours, active).")
        return await self.departments.update(code, fields, actor, ip)

    async def audit_entries(self, limit: int = 100) -> list[AuditOut]:
        """The newest audit entries of administrative changes."""

        def read(session: Session) -> list[AuditOut]:
            return [e for e in audit.recent(session, 500) if e["action"] in ADMIN_ACTIONS]

        return (await self.store_run(read))[:limit]

    async def _agent(self, username: str) -> AdminAgent:
        for row in await self.list_agents():
            if row["username"] == username:
                return row
        raise NotFound(f"Nie ma konsultanta {username!r}.")

    async def _is_active(self, username: str) -> bool:
        def read(session: Session) -> bool:
            row = session.scalar(select(Agent).where(Agent.username == username))
            if row is None:
                raise NotFound(f"Nie ma konsultanta {username!r}.")
            return row.active

        return await self.store_run(read)

    async def _audit(self, action: str, actor: str, target: str, ip: str, **detail: Any) -> None:
        await self.store_run(
            lambda s: audit.record(s, action, actor=actor, target=target, ip=ip, **detail)
        )

    async def store_run(self, fn: Callable[[Session], T]) -> T:
        """Run ``fn(session)`` on the agents' store (one database for the whole office)."""
        return await self.agents.store.run(fn)
