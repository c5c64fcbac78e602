"""The departments' records: read by code or all at once, created and edited with an audit.

:class:`DepartmentService` is what the admin pages change departments through (every change
is written to the audit log). Other domains read departments inside their own transaction
with the functions below (:func:`find`, :func:`all_by_id`, :func:`department_id`,
:func:`ids_with_code`), never through the model: they get a :class:`DepartmentInfo`.
Values come in checked (``cic.admin.validation`` checks what an administrator enters).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, TypedDict

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from cic.auth import audit
from cic.db import Store
from cic.departments.errors import DepartmentExists, DepartmentNotFound
from cic.departments.models import Department
from cic.departments.schemas import DepartmentOut

Hours = dict[str, list[str]]


class DepartmentFields(TypedDict, total=False):
    """Checked values of a department's changeable fields (``hours`` ``None``: the office's)."""

    name: str
    hours: Hours | None
    active: bool


@dataclass(frozen=True)
class DepartmentInfo:
    """What other domains know of a department (``hours`` ``None``: the office's hours)."""

    id: int
    code: str
    name: str
    hours: Hours | None
    active: bool


def _info(row: Department) -> DepartmentInfo:
    hours = json.loads(row.hours) if row.hours else None
    return DepartmentInfo(row.id, row.code, row.name, hours, row.active)


def department_dict(row: Department) -> DepartmentOut:
    """A department as JSON (``hours`` is ``None`` when the office's hours apply)."""
    return {
        "id": row.id,
        "code": row.code,
        "name": row.name,
        "hours": json.loads(row.hours) if row.hours else None,
        "active": row.active,
    }


def find(session: Session, code: str) -> DepartmentInfo | None:
    """The department with exactly ``code``, or ``None``."""
    row = session.scalar(select(Department).where(Department.code == code))
    return None if row is None else _info(row)


def all_by_id(session: Session) -> dict[int, DepartmentInfo]:
    """Every department by its id (agents and queues refer to one by id)."""
    return {row.id: _info(row) for row in session.scalars(select(Department))}


def department_id(session: Session, code: object) -> int | None:
    """The id of the department with ``code`` (``None``/``''`` means no department);
    :class:`DepartmentNotFound` when there is none."""
    if code is None or code == "":
        return None
    row = session.scalar(select(Department.id).where(Department.code == str(code).upper()))
    if row is None:
        raise DepartmentNotFound(code)
    return row


def ids_with_code(code: str) -> Select[int]:
    """The ids of the departments with ``code``, as a subquery for another domain's query."""
    return select(Department.id).where(Department.code == code)


def _stored(fields: DepartmentFields) -> dict[str, Any]:
    """The fields as the table keeps them (hours as JSON text)."""
    out: dict[str, Any] = dict(fields)
    if "hours" in fields:
        hours = fields["hours"]
        out["hours"] = None if hours is None else json.dumps(hours)
    return out


class DepartmentService:
    """Departments of the office: listed, read by code, created and edited (audited)."""

    def __init__(self, store: Store) -> None:
        """Departments are kept in ``store``."""
        self.store = store

    async def departments(self) -> list[DepartmentOut]:
        """Every department, by code."""

        def read(session: Session) -> list[DepartmentOut]:
            rows = session.scalars(select(Department).order_by(Department.code))
            return [department_dict(r) for r in rows]

        return await self.store.run(read)

    async def get(self, code: str) -> DepartmentInfo | None:
        """The department with ``code`` (any case), or ``None``."""
        return await self.store.run(lambda s: find(s, code.upper()))

    async def create(
        self, code: str, fields: DepartmentFields, actor: str, ip: str = ""
    ) -> DepartmentOut:
        """Add the department ``code`` (checked, upper case) with ``fields`` (``name``
        required); :class:`DepartmentExists` if the code is taken."""

        def write(session: Session) -> DepartmentOut:
            if session.scalar(select(Department).where(Department.code == code)) is not None:
                raise DepartmentExists(code)
            row = Department(code=code, **_stored(fields))
            session.add(row)
            session.flush()
            audit.record(session, "department_created", actor=actor, target=code, ip=ip,
                         name=row.name)  # fmt: skip
            return department_dict(row)

        return await self.store.run(write)

    async def update(
        self, code: str, fields: DepartmentFields, actor: str, ip: str = ""
    ) -> DepartmentOut:
        """Change the department's ``fields`` (the code stays); the audit entry lists what
        changed. :class:`DepartmentNotFound` if there is no such department."""
        stored = _stored(fields)

        def write(session: Session) -> DepartmentOut:
            row = session.scalar(select(Department).where(Department.code == code.upper()))
            if row is None:
                raise DepartmentNotFound(code)
            old: dict[str, Any] = dict(department_dict(row))
            for key, value in stored.items():
                setattr(row, key, value)
            session.flush()
            new = department_dict(row)
            changed = {k: v for k, v in new.items() if v != old[k]}
            audit.record(session, "department_updated", actor=actor, target=row.code, ip=ip,
                         changes=changed)  # fmt: skip
            return new

        return await self.store.run(write)
