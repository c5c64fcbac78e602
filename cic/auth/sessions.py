"""Server-side sessions: random cookie values, hashed ids, idle and absolute time-outs.

Functions here take an SQLAlchemy ``Session`` and run inside ``Store.run``.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from cic.auth.models import AuthSession, User
from cic.config import AuthSettings

TOUCH_EVERY = timedelta(seconds=30)


@dataclass(frozen=True)
class CurrentUser:
    """Who is behind a request: ``request[USER_KEY]`` (``cic.auth.roles``)."""

    id: int
    username: str
    display_name: str
    role: str
    agent_id: int | None


@dataclass(frozen=True)
class SessionInfo:
    """A live session: ``request[SESSION_KEY]``; ``csrf_token`` goes into every form."""

    session_id: str
    user: CurrentUser
    csrf_token: str
    created_at: datetime
    last_seen_at: datetime


def session_id(token: str) -> str:
    """The stored id of a cookie value: its SHA-256 in hex."""
    return hashlib.sha256(token.encode()).hexdigest()


def create(db: Session, user_id: int, ip: str, now: datetime) -> tuple[str, str]:
    """A fresh session for ``user_id``; returns ``(cookie value, csrf token)``."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    db.add(
        AuthSession(
            id=session_id(token), user_id=user_id, csrf_token=csrf,
            created_at=now, last_seen_at=now, ip=ip[:64],
        )
    )  # fmt: skip
    return token, csrf


def load(db: Session, token: str, now: datetime, settings: AuthSettings) -> SessionInfo | None:
    """The live session behind ``token``; expired ones (or of inactive users) are deleted."""
    sid = session_id(token)
    row = db.get(AuthSession, sid)
    if row is None:
        return None
    user = db.get(User, row.user_id)
    idle = timedelta(seconds=settings.idle_timeout_seconds)
    absolute = timedelta(seconds=settings.absolute_timeout_seconds)
    if (
        user is None
        or not user.active
        or now - row.last_seen_at >= idle
        or now - row.created_at >= absolute
    ):
        db.delete(row)
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
    current = CurrentUser(user.id, user.username, user.display_name, user.role, user.agent_id)
    return SessionInfo(sid, current, row.csrf_token, row.created_at, row.last_seen_at)


def remove(db: Session, token: str) -> int | None:
    """Delete the session behind ``token``; returns its user id, if it existed."""
    row = db.get(AuthSession, session_id(token))
    if row is None:
        return None
    db.delete(row)
    return row.user_id


def revoke_user(db: Session, user_id: int) -> int:
    """Delete every session of ``user_id``; returns how many there were."""
    ids = list(db.scalars(select(AuthSession.id).where(AuthSession.user_id == user_id)))
    db.execute(delete(AuthSession).where(AuthSession.user_id == user_id))
    return len(ids)


def purge_expired(db: Session, now: datetime, settings: AuthSettings) -> int:
    """Delete sessions past either time-out; returns how many."""
    idle = now - timedelta(seconds=settings.idle_timeout_seconds)
    absolute = now - timedelta(seconds=settings.absolute_timeout_seconds)
    expired = (AuthSession.last_seen_at <= idle) | (AuthSession.created_at <= absolute)
    ids = list(db.scalars(select(AuthSession.id).where(expired)))
    if ids:
        db.execute(delete(AuthSession).where(AuthSession.id.in_(ids)))
    return len(ids)
