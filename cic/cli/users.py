"""``cic users add|list|passwd|role|disable|enable``: console users, directly on the store."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from cic.auth import users as user_ops
from cic.auth.errors import AuthError
from cic.auth.models import ROLES
from cic.auth.passwords import generate_password
from cic.cli import demo_accounts
from cic.cli.demo_accounts import forget_clear_passwords
from cic.config import Settings
from cic.db import Store, utcnow
from cic.errors import CommandError

T = TypeVar("T")


def _run(settings: Settings, fn: Callable[[Session], T]) -> T:
    store = Store(settings.db_url)
    try:
        store.migrate()
        return store.run_sync(fn)
    except AuthError as exc:
        raise CommandError(exc.message) from exc
    finally:
        store.engine.dispose()


def users(settings: Settings, args: argparse.Namespace) -> Any:
    """Users: add (prints a generated password once), list, passwd, role, disable, enable."""
    now = utcnow()
    if args.action == "list":
        return _run(settings, user_ops.list_all)
    if args.action == "role":
        _run(
            settings,
            lambda db: user_ops.set_role(db, args.username, args.role, actor="cli", now=now),
        )
        return {"username": args.username, "role": args.role}
    if args.action == "remove-demo":
        removed = _run(settings, lambda db: demo_accounts.remove(db, now))
        return {"removed": removed}
    if args.action in ("disable", "enable"):
        active = args.action == "enable"
        _run(
            settings,
            lambda db: user_ops.set_active(db, args.username, active, actor="cli", now=now),
        )
        return {"username": args.username, "active": active}
    password = generate_password()
    if args.action == "add":
        user = _run(
            settings,
            lambda db: user_ops.add(
                db, args.username, args.display_name, args.role, password,
                agent_username=args.agent, now=now,
            ),
        )  # fmt: skip
    else:
        _run(
            settings,
            lambda db: user_ops.set_password(db, args.username, password, actor="cli", now=now),
        )
        user = {"username": args.username}
    print(f"Hasło dla {args.username} (pokazywane tylko raz): {password}")
    return user


def ensure_demo_users(settings: Settings) -> list[tuple[str, str, str]]:
    """Demo accounts on the first run only: ``(username, role, password)`` to print once."""
    forget_clear_passwords(settings)
    queue = settings.office.first_line_queue
    return _run(settings, lambda db: demo_accounts.create_once(db, utcnow(), queue))


def add_parser(sub: Any) -> None:
    """The ``users`` subcommand and its actions."""
    users_p = sub.add_parser("users", help="użytkownicy konsoli (logowanie i role)")
    usub = users_p.add_subparsers(dest="action", required=True)
    add = usub.add_parser("add", help="nowy użytkownik; hasło wygenerowane i pokazane raz")
    add.add_argument("username")
    add.add_argument("display_name")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--agent", help="login konsultanta (agents) powiązanego z tym kontem")
    usub.add_parser("list")
    usub.add_parser("passwd", help="nowe wygenerowane hasło; kończy wszystkie sesje").add_argument(
        "username"
    )
    usub.add_parser("disable", help="blokada logowania; kończy wszystkie sesje").add_argument(
        "username"
    )
    usub.add_parser("enable", help="odblokowanie logowania").add_argument("username")
    usub.add_parser("remove-demo", help="usuwa konta demo (admin, kierownik, konsultant)")
    role = usub.add_parser("role", help="zmiana roli; kończy wszystkie sesje")
    role.add_argument("username")
    role.add_argument("role", choices=ROLES)
