"""Departments and queues: list, create, edit. Every change is written to the audit log."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from cic.admin import validation
from cic.admin.errors import Conflict, InvalidValue, NotFound
from cic.agents.models import Department, Queue, QueueMembership
from cic.auth import audit
from cic.db import Store
from cic.pbx_values import UnsafeValue


def department_dict(row: Department) -> dict[str, Any]:
    """A department as JSON (``hours`` is ``None`` when the office's hours apply)."""
    return {
        "id": row.id,
        "code": row.code,
        "name": row.name,
        "hours": json.loads(row.hours) if row.hours else None,
        "active": row.active,
    }


def department_id(session: Session, code: object) -> int | None:
    """The id of the department with ``code`` (``None``/``''`` means no department)."""
    if code is None or code == "":
        return None
    row = session.scalar(select(Department).where(Department.code == str(code).upper()))
    if row is None:
        raise NotFound(f"Nie ma wydziału o symbolu {code!r}.")
    return row.id


def _department_fields(body: dict[str, Any], partial: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "name" in body or not partial:
        out["name"] = validation.text(body.get("name"), "Nazwa wydziału")
    if "hours" in body:
        raw = body["hours"]
        out["hours"] = (
            None if raw is None else json.dumps(validation.hours(raw, "Godziny wydziału"))
        )
    if "active" in body:
        if not isinstance(body["active"], bool):
            raise InvalidValue("Aktywny: tak albo nie (true/false).")
        out["active"] = body["active"]
    return out


class Directory:
    """Departments and queues of the office."""

    def __init__(self, store: Store, reload_queues: Callable[[], Awaitable[None]]) -> None:
        """``reload_queues`` renders queues.conf again and reloads app_queue (no restart)."""
        self.store = store
        self.reload_queues = reload_queues

    # --- departments ---
    async def departments(self) -> list[dict[str, Any]]:
        """Every department, by code."""

        def read(session: Session) -> list[dict[str, Any]]:
            rows = session.scalars(select(Department).order_by(Department.code))
            return [department_dict(r) for r in rows]

        return await self.store.run(read)

    async def create_department(
        self, body: dict[str, Any], actor: str, ip: str = ""
    ) -> dict[str, Any]:
        """Add a department: ``code``, ``name``, optional ``hours`` and ``active``."""
        code = validation.department_code(body.get("code"))
        fields = _department_fields(body, partial=False)

        def write(session: Session) -> dict[str, Any]:
            if session.scalar(select(Department).where(Department.code == code)) is not None:
                raise Conflict(f"Wydział {code} już istnieje.")
            row = Department(code=code, **fields)
            session.add(row)
            session.flush()
            audit.record(session, "department_created", actor=actor, target=code, ip=ip,
                         name=row.name)  # fmt: skip
            return department_dict(row)

        return await self.store.run(write)

    async def update_department(
        self, code: str, body: dict[str, Any], actor: str, ip: str = ""
    ) -> dict[str, Any]:
        """Change a department's ``name``, ``hours`` or ``active`` (the code stays)."""
        fields = _department_fields(body, partial=True)
        if not fields:
            raise InvalidValue("Wydział: nic do zmiany (name, hours, active).")

        def write(session: Session) -> dict[str, Any]:
            row = session.scalar(select(Department).where(Department.code == code.upper()))
            if row is None:
                raise NotFound(f"Nie ma wydziału o symbolu {code!r}.")
            old = department_dict(row)
            for key, value in fields.items():
                setattr(row, key, value)
            session.flush()
            new = department_dict(row)
            changed = {k: new[k] for k in new if new[k] != old[k]}
            audit.record(session, "department_updated", actor=actor, target=row.code, ip=ip,
                         changes=changed)  # fmt: skip
            return new

        return await self.store.run(write)

    # --- queues ---
    async def queues(self) -> list[dict[str, Any]]:
        """Every queue with its department and number of members."""

        def read(session: Session) -> list[dict[str, Any]]:
            counts = dict(
                session.execute(
                    select(QueueMembership.queue_id, func.count()).group_by(
                        QueueMembership.queue_id
                    )
                ).all()
            )
            codes = dict(session.execute(select(Department.id, Department.code)).all())
            rows = session.scalars(select(Queue).order_by(Queue.name))
            return [
                {"name": q.name, "title": q.title, "strategy": q.strategy,
                 "department": codes.get(q.department_id) if q.department_id else None,
                 "members": counts.get(q.id, 0)}
                for q in rows
            ]  # fmt: skip

        return await self.store.run(read)

    async def create_queue(self, body: dict[str, Any], actor: str, ip: str = "") -> dict[str, Any]:
        """Add a queue (``name``, ``title``, ``strategy``, ``department``); Asterisk reloads it."""
        name = validation.queue_name(body.get("name"))
        title = validation.text(body.get("title"), "Tytuł kolejki")
        strategy = validation.strategy(body.get("strategy", "rrmemory"))

        def write(session: Session) -> None:
            if session.scalar(select(Queue).where(Queue.name == name)) is not None:
                raise Conflict(f"Kolejka {name} już istnieje.")
            dept = department_id(session, body.get("department"))
            session.add(Queue(name=name, title=title, strategy=strategy, department_id=dept))
            audit.record(
                session, "queue_created", actor=actor, target=name, ip=ip, title=title,
                strategy=strategy, department=body.get("department"),
            )  # fmt: skip

        await self.store.run(write)
        try:
            await self.reload_queues()
        except UnsafeValue:  # the renderer refused it: the queue must not stay half made
            await self.store.run(lambda s: s.execute(delete(Queue).where(Queue.name == name)))
            raise
        return await self._queue(name)

    async def update_queue(
        self, name: str, body: dict[str, Any], actor: str, ip: str = ""
    ) -> dict[str, Any]:
        """Change a queue's ``title``, ``strategy`` or ``department`` (the name stays)."""
        fields: dict[str, Any] = {}
        if "title" in body:
            fields["title"] = validation.text(body["title"], "Tytuł kolejki")
        if "strategy" in body:
            fields["strategy"] = validation.strategy(body["strategy"])
        if not fields and "department" not in body:
            raise InvalidValue("Kolejka: nic do zmiany (title, strategy, department).")

        def write(session: Session) -> bool:
            row = session.scalar(select(Queue).where(Queue.name == name))
            if row is None:
                raise NotFound(f"Nie ma kolejki {name!r}.")
            if "department" in body:
                fields["department_id"] = department_id(session, body["department"])
            old_strategy = row.strategy
            for key, value in fields.items():
                setattr(row, key, value)
            audit.record(session, "queue_updated", actor=actor, target=name, ip=ip,
                         changes={k: v for k, v in body.items() if k in
                                  ("title", "strategy", "department")})  # fmt: skip
            return row.strategy != old_strategy

        if await self.store.run(write):
            await self.reload_queues()
        return await self._queue(name)

    async def _queue(self, name: str) -> dict[str, Any]:
        for queue in await self.queues():
            if queue["name"] == name:
                return queue
        raise NotFound(f"Nie ma kolejki {name!r}.")
