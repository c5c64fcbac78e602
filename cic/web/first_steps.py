"""The "Pierwsze kroki" box of the status page: the three next steps after ``bin/up``.

Shown to an administrator until they dismiss it (an audit entry ``first_steps_dismissed`` by
them: nothing new to migrate, and the dismissal is on record) or until the office has a
call of its own (a call from anyone but the made-up resident of ``cic demo call``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cic.auth import audit
from cic.auth.errors import Forbidden
from cic.auth.models import AuditEntry
from cic.auth.sessions import CurrentUser
from cic.calls.models import Call
from cic.db import Store
from cic.demo.scenarios import DEMO_RESIDENT

DISMISSED = "first_steps_dismissed"


class FirstSteps:
    """Whether the box is shown to a user, and its dismissal (administrators only)."""

    def __init__(
        self, store: Store, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self.store = store
        self.clock = clock

    async def shown_to(self, user: CurrentUser | None) -> bool:
        """True for an administrator who has not dismissed it, while the office has only
        demo calls."""
        if user is None or user.role != "admin":
            return False
        username = user.username

        def read(db: Session) -> bool:
            dismissed = db.scalar(
                select(AuditEntry.id)
                .where(AuditEntry.action == DISMISSED, AuditEntry.actor == username)
                .limit(1)
            )
            if dismissed is not None:
                return False
            own = select(Call.id).where(Call.caller_number != DEMO_RESIDENT.number).limit(1)
            return db.scalar(own) is None

        return await self.store.run(read)

    async def dismiss(self, user: CurrentUser | None, ip: str = "") -> None:
        """Hide the box for this administrator from now on (audited)."""
        if user is None or user.role != "admin":
            raise Forbidden("Tylko administrator ukrywa „Pierwsze kroki”.")
        actor, at = user.username, self.clock()
        await self.store.run(lambda db: audit.record(db, DISMISSED, actor=actor, ip=ip, at=at))
