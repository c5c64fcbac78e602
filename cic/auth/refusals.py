"""Refusals of access to one object go to the audit log, whichever domain refused.

A service runs its database work through :func:`run_guarded`: when the work raises an error
marked :class:`cic.errors.AccessRefusal`, its transaction is rolled back as usual and the
refusal is written in a transaction of its own (``access_refused``: who, which object, why),
then the error goes on to the caller.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.orm import Session

from cic.auth import audit
from cic.auth.actor import Actor
from cic.db import Store
from cic.errors import AccessRefusal, CicError

log = logging.getLogger(__name__)
T = TypeVar("T")


async def record_refusal(
    store: Store, actor: Actor, kind: str, target: str, error: CicError
) -> None:
    """Write ``access_refused`` for ``kind:target`` and mark ``error`` recorded; a failed write
    is logged, never raised."""
    safe = "".join(c if c.isprintable() else "?" for c in target)[:150]

    def write(session: Session) -> None:
        audit.record(
            session, "access_refused", actor=actor.username or "-", target=f"{kind}:{safe}",
            ip=actor.ip, role=actor.role, error=error.error_id,
        )  # fmt: skip

    error.recorded = True
    try:
        await store.run(write)
    except Exception:
        log.exception("could not write a refusal to the audit log")


async def run_guarded(
    store: Store, actor: Actor, kind: str, target: str, work: Callable[[Session], T]
) -> T:
    """``store.run(work)``; a refusal it raises is audited (see the module docstring)."""
    try:
        return await store.run(work)
    except CicError as exc:
        if isinstance(exc, AccessRefusal):
            await record_refusal(store, actor, kind, target, exc)
        raise
