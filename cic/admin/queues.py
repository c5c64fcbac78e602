"""Queues of the office as the admin pages change them: list, create, edit (Asterisk reloads
app_queue). Every change is written to the audit log."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from cic.admin import validation
from cic.admin.errors import Conflict, InvalidValue, NotFound
from cic.admin.schemas import QueueOut
from cic.agents.models import Queue, QueueMembership
from cic.auth import audit
from cic.db import Store
from cic.departments.service import all_by_id, department_id
from cic.pbx_values import UnsafeValue


class QueueAdmin:
    """Queues of the office, each with its department."""

    def __init__(self, store: Store, reload_queues: Callable[[], Awaitable[None]]) -> None:
        """``reload_queues`` renders queues.conf again and reloads app_queue (no restart)."""
        self.store = store
        self.reload_queues = reload_queues

    async def queues(self) -> list[QueueOut]:
        """Every queue with its department and number of members."""

        def read(session: Session) -> list[QueueOut]:
            counts = dict(
                session.execute(
                    select(QueueMembership.queue_id, func.count()).group_by(
                        QueueMembership.queue_id
                    )
                ).all()
            )
            codes = {i: d.code for i, d in all_by_id(session).items()}
            rows = session.scalars(select(Queue).order_by(Queue.name))
            return [
                {"name": q.name, "title": q.title, "strategy": q.strategy,
                 "department": codes.get(q.department_id) if q.department_id else None,
                 "members": counts.get(q.id, 0)}
                for q in rows
            ]  # fmt: skip

        return await self.store.run(read)

    async def create_queue(self, body: dict[str, Any], actor: str, ip: str = "") -> QueueOut:
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
    ) -> QueueOut:
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

    async def _queue(self, name: str) -> QueueOut:
        for queue in await self.queues():
            if queue["name"] == name:
                return queue
        raise NotFound(f"Nie ma kolejki {name!r}.")
