"""Demo console accounts: made on the very first run only, their passwords shown once.

``cic up`` calls :func:`ensure_demo_users`. On an empty database it creates the demo accounts
(admin, kierownik, konsultant) with fresh passwords and returns them to be printed (the
konsultant linked to an agent with a browser phone in the first-line queue,
:mod:`cic.cli.demo_agent`, so the console's softphone registers when they sign in); the audit
entry ``demo_accounts_created`` marks that this happened, so no later run creates, re-creates or
re-enables them (even after an admin deleted or disabled one). Passwords are never stored in
clear: the secrets file of older versions lost them at the next run. ``cic users remove-demo``
deletes the demo accounts and ends their sessions.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cic.auth import audit, sessions
from cic.auth import users as user_ops
from cic.auth.models import AuditEntry, User
from cic.auth.passwords import generate_password
from cic.cli.demo_agent import make_browser_agent, retire_browser_agent
from cic.config import Settings
from cic.credentials import Credentials

DEMO_USERS = (
    ("admin", "Administrator Demo", "admin"),
    ("kierownik", "Kierownik Demo", "supervisor"),
    ("konsultant", "Konsultant Demo", "agent"),
)
CREATED = "demo_accounts_created"


def create_once(db: Session, now: datetime, first_line_queue: str) -> list[tuple[str, str, str]]:
    """``(username, role, password)`` of the demo accounts made now; [] when they were made
    before or the office already has accounts of its own. The agent-role account gets the
    demo browser agent in ``first_line_queue`` (unless an agent of that name exists)."""
    done = db.scalars(select(AuditEntry.id).where(AuditEntry.action == CREATED)).first()
    if done is not None:
        return []
    made: list[tuple[str, str, str]] = []
    agent = None
    if db.scalars(select(User.id)).first() is None:
        agent = make_browser_agent(db, first_line_queue)
        for username, name, role in DEMO_USERS:
            password = generate_password()
            user_ops.add(
                db, username, name, role, password, actor="cic up", now=now,
                agent_username=agent if role == "agent" else None,
            )  # fmt: skip
            made.append((username, role, password))
    audit.record(
        db, CREATED, actor="cic up", at=now, accounts=[u for u, _, _ in made], agent=agent or ""
    )
    return made


def remove(db: Session, now: datetime, actor: str = "cli") -> list[str]:
    """Delete the demo accounts that still exist (their sessions end) and deactivate the demo
    konsultant's browser agent (its endpoint leaves Asterisk at the next ``cic up``); audited."""
    retire_browser_agent(db)
    removed = []
    for username, name, _role in DEMO_USERS:
        user = user_ops.find(db, username)
        if user is None or user.display_name != name:  # an office's own account of that name
            continue
        sessions.revoke_user(db, user.id)
        db.delete(user)
        removed.append(username)
    audit.record(db, "demo_accounts_removed", actor=actor, at=now, accounts=removed)
    return removed


def forget_clear_passwords(settings: Settings) -> bool:
    """Drop demo passwords an older version kept in the secrets file; True if there were."""
    return Credentials(settings.secrets_path).forget("demo_users")
