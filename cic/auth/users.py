"""Users: create, list, change password or role. Functions take an SQLAlchemy ``Session``."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String, column, select, table
from sqlalchemy.orm import Session

from cic.auth import audit, passwords, sessions
from cic.auth.errors import InvalidUser, UserExists, UserNotFound
from cic.auth.models import ROLES, User

USERNAME_RE = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")

# The agents domain's table, read by name (as the users table's foreign key names it): the
# agents package uses auth's roles, so auth does not import it.
_AGENTS = table("agents", column("id", Integer), column("username", String))


def as_dict(user: User) -> dict[str, Any]:
    """A user without the password hash."""
    return {
        "username": user.username, "display_name": user.display_name, "role": user.role,
        "agent_id": user.agent_id, "active": user.active,
    }  # fmt: skip


def find(db: Session, username: str) -> User | None:
    """The user called ``username`` (exact, case-sensitive), if any."""
    return db.scalars(select(User).where(User.username == username)).first()


def _check(username: str, display_name: str, role: str) -> None:
    if not USERNAME_RE.fullmatch(username):
        raise InvalidUser("Login: małe litery ASCII, cyfry, '.', '_' i '-' (do 64 znaków).")
    if not display_name.strip() or len(display_name) > 200:
        raise InvalidUser("Imię i nazwisko: od 1 do 200 znaków.")
    if role not in ROLES:
        raise InvalidUser(f"Rola: jedna z {', '.join(ROLES)}.")


def add(
    db: Session,
    username: str,
    display_name: str,
    role: str,
    password: str,
    *,
    agent_username: str | None = None,
    actor: str = "cli",
    now: datetime,
) -> dict[str, Any]:
    """Create a user (password hashed with argon2); audited as ``user_created``."""
    _check(username, display_name, role)
    if find(db, username) is not None:
        raise UserExists(username)
    agent_id = None
    if agent_username:
        agent_id = db.scalar(select(_AGENTS.c.id).where(_AGENTS.c.username == agent_username))
        if agent_id is None:
            raise UserNotFound(agent_username)
    user = User(
        username=username, display_name=display_name.strip(), role=role, agent_id=agent_id,
        password_hash=passwords.hash_password(password), created_at=now, password_changed_at=now,
    )  # fmt: skip
    db.add(user)
    db.flush()
    audit.record(db, "user_created", actor=actor, target=username, at=now, role=role)
    return as_dict(user)


def list_all(db: Session) -> list[dict[str, Any]]:
    """Every user, by username."""
    return [as_dict(u) for u in db.scalars(select(User).order_by(User.username))]


def set_password(db: Session, username: str, password: str, *, actor: str, now: datetime) -> None:
    """Replace the password and sign the user out everywhere; audited."""
    user = find(db, username)
    if user is None:
        raise UserNotFound(username)
    user.password_hash = passwords.hash_password(password)
    user.password_changed_at = now
    sessions.revoke_user(db, user.id)
    audit.record(db, "password_changed", actor=actor, target=username, at=now)


def set_role(db: Session, username: str, role: str, *, actor: str, now: datetime) -> None:
    """Change the role and end the user's sessions; audited as ``role_changed``."""
    user = find(db, username)
    if user is None:
        raise UserNotFound(username)
    _check(user.username, user.display_name, role)
    old, user.role = user.role, role
    sessions.revoke_user(db, user.id)
    audit.record(db, "role_changed", actor=actor, target=username, at=now, old=old, new=role)


def set_active(db: Session, username: str, active: bool, *, actor: str, now: datetime) -> None:
    """Allow or stop sign-in; stopping ends every session. Audited."""
    user = find(db, username)
    if user is None:
        raise UserNotFound(username)
    user.active = active
    if not active:
        sessions.revoke_user(db, user.id)
    audit.record(
        db, "user_activated" if active else "user_deactivated", actor=actor, target=username, at=now
    )
