"""The audit log: who did what to whom, from where."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cic.auth.models import AuditEntry
from cic.auth.schemas import AuditOut

ACTIONS = (
    "sign_in", "sign_in_failed", "sign_in_throttled", "sign_out", "user_created",
    "role_changed", "password_changed", "user_deactivated", "user_activated",
    "sessions_revoked", "sign_in_locked", "sign_in_unlocked", "access_refused",
    "recording_played", "recording_refused", "transcript_read", "transcript_unredacted",
    "transcript_refused", "transcript_search", "calls_exported", "call_read",
)  # fmt: skip
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _clean(value: Any) -> Any:
    """Text as the database can hold it (a typed username may carry NUL or lone surrogates)."""
    return _UNSTORABLE.sub("\ufffd", value) if isinstance(value, str) else value


def record(
    db: Session,
    action: str,
    *,
    actor: str = "",
    target: str = "",
    ip: str = "",
    at: datetime | None = None,
    **detail: Any,
) -> None:
    """Add one audit entry (in the caller's transaction)."""
    entry = AuditEntry(
        action=action, actor=_clean(actor[:64]), target=_clean(target[:200]), ip=_clean(ip[:64])
    )
    entry.detail = {key: _clean(value) for key, value in detail.items()}
    if at is not None:
        entry.at = at
    db.add(entry)


def recent(db: Session, limit: int = 100) -> list[AuditOut]:
    """The newest entries first, as plain dicts."""
    rows = db.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit))
    return [
        {"at": r.at.isoformat(), "actor": r.actor, "action": r.action, "target": r.target,
         "ip": r.ip, "detail": r.detail}
        for r in rows
    ]  # fmt: skip
