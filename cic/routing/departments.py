"""Departments as routing sees them, read from the store with the last answer kept.

The menu asks on every call, so a department's new hours or queue apply at once; when the
database is slow or down the last answer for that department is used, and a department never
read before counts as unavailable (the call goes to the first line, never nowhere).
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from cic.agents.models import Queue
from cic.db import Store
from cic.departments.service import find
from cic.latency import Stages
from cic.routing.menu import DepartmentRoute

log = logging.getLogger(__name__)

LOOKUP_TIMEOUT = 0.3


def read_department(session: Session, code: str) -> DepartmentRoute | None:
    """The department with ``code`` and its queue (the first by name), or ``None``."""
    department = find(session, code)
    if department is None:
        return None
    queue = session.scalar(
        select(Queue.name).where(Queue.department_id == department.id).order_by(Queue.name).limit(1)
    )
    return DepartmentRoute(
        department.code, department.name, queue or "", department.hours, department.active
    )


class StoredDepartments:
    """``Departments`` over the store, falling back to the last answer per code."""

    def __init__(
        self, store: Store, timeout: float = LOOKUP_TIMEOUT, stages: Stages | None = None
    ) -> None:
        """``timeout`` bounds each lookup (seconds); ``stages`` records each lookup's time as
        the routing stage ``menu``."""
        self._store = store
        self._timeout = timeout
        self._stages = stages or Stages()
        self._last: dict[str, DepartmentRoute | None] = {}

    async def get(self, code: str) -> DepartmentRoute | None:
        """The department with ``code`` now, or as last seen if the store does not answer."""
        try:
            with self._stages.timed("menu"):
                found = await asyncio.wait_for(
                    self._store.run(lambda s: read_department(s, code)), self._timeout
                )
        except Exception:
            log.warning("department %s: store did not answer; last known state used", code)
            return self._last.get(code)
        self._last[code] = found
        return found
