"""Sessions on SQLite and PostgreSQL: new id at sign-in, idle and absolute time-outs, revocation."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from cic.agents.models import Agent
from cic.auth import users
from cic.auth.errors import InvalidCredentials, UserNotFound
from cic.auth.models import AuditEntry, AuthSession, User
from cic.auth.service import AuthService
from cic.auth.sessions import session_id
from cic.db import Store, migrate
from tests.unit.test_auth_support import T0, FakeClock

PASSWORD = "hasło-anny-123"


@pytest.fixture
async def auth(db_url: str) -> AsyncIterator[tuple[AuthService, FakeClock]]:
    migrate(db_url)
    store = Store(db_url)

    def seed(db: Session) -> None:
        db.add(Agent(username="anna", display_name="Anna", endpoint="agent-anna"))
        db.flush()
        users.add(db, "anna", "Anna Kowalska", "agent", PASSWORD, agent_username="anna", now=T0)

    store.run_sync(seed)
    clock = FakeClock()
    yield AuthService(store, clock=clock), clock
    await store.close()


def count_sessions(service: AuthService) -> int:
    return service.store.run_sync(lambda db: db.scalar(select(func.count(AuthSession.id))) or 0)


async def test_migration_creates_the_auth_tables(db_url: str) -> None:
    migrate(db_url)
    store = Store(db_url)
    tables = set(inspect(store.engine).get_table_names())
    assert {"users", "auth_sessions", "audit_log"} <= tables
    await store.close()


async def test_each_sign_in_gets_a_new_session_and_the_cookie_is_not_stored(
    auth: tuple[AuthService, FakeClock],
) -> None:
    service, _ = auth
    first = await service.sign_in("anna", PASSWORD, "10.0.0.1")
    second = await service.sign_in("anna", PASSWORD, "10.0.0.1")
    assert first.token != second.token and first.csrf_token != second.csrf_token
    stored = service.store.run_sync(lambda db: set(db.scalars(select(AuthSession.id))))
    assert stored == {session_id(first.token), session_id(second.token)}
    assert first.token not in stored
    info = await service.session(first.token)
    assert info is not None and info.user.username == "anna" and info.user.agent_id is not None


async def test_idle_timeout(auth: tuple[AuthService, FakeClock]) -> None:
    service, clock = auth
    signed = await service.sign_in("anna", PASSWORD, "10.0.0.1")
    for _ in range(3):  # activity keeps it alive past 30 minutes in total
        clock.advance(minutes=29)
        assert await service.session(signed.token) is not None
    clock.advance(minutes=30)
    assert await service.session(signed.token) is None
    assert count_sessions(service) == 0


async def test_absolute_timeout(auth: tuple[AuthService, FakeClock]) -> None:
    service, clock = auth
    signed = await service.sign_in("anna", PASSWORD, "10.0.0.1")
    for _ in range(12 * 3 - 1):
        clock.advance(minutes=20)
        assert await service.session(signed.token) is not None
    clock.advance(minutes=20)
    assert await service.session(signed.token) is None


async def test_sign_out_revoke_and_password_change_end_sessions(
    auth: tuple[AuthService, FakeClock],
) -> None:
    service, clock = auth
    one = await service.sign_in("anna", PASSWORD, "10.0.0.1")
    await service.sign_out(one.token, "10.0.0.1")
    assert await service.session(one.token) is None
    await service.sign_in("anna", PASSWORD, "10.0.0.1")
    await service.sign_in("anna", PASSWORD, "10.0.0.2")
    assert await service.revoke_user("anna", actor="admin") == 2
    assert count_sessions(service) == 0
    three = await service.sign_in("anna", PASSWORD, "10.0.0.1")
    service.store.run_sync(
        lambda db: users.set_password(db, "anna", "nowe-haslo-123", actor="admin", now=clock())
    )
    assert await service.session(three.token) is None
    with pytest.raises(InvalidCredentials):
        await service.sign_in("anna", PASSWORD, "10.0.0.1")
    with pytest.raises(UserNotFound):
        await service.revoke_user("nikt", actor="admin")
    actions = service.store.run_sync(
        lambda db: [e.action for e in db.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    )
    assert actions[:3] == ["user_created", "sign_in", "sign_out"]
    assert {"sessions_revoked", "password_changed", "sign_in_failed"} <= set(actions)


async def test_deactivated_user_loses_the_session_and_cannot_sign_in(
    auth: tuple[AuthService, FakeClock],
) -> None:
    service, _ = auth
    signed = await service.sign_in("anna", PASSWORD, "10.0.0.1")

    def deactivate(db: Session) -> None:
        user = db.scalars(select(User).where(User.username == "anna")).one()
        user.active = False

    service.store.run_sync(deactivate)
    assert await service.session(signed.token) is None
    with pytest.raises(InvalidCredentials):
        await service.sign_in("anna", PASSWORD, "10.0.0.1")


async def test_purge_removes_only_expired_sessions(auth: tuple[AuthService, FakeClock]) -> None:
    service, clock = auth
    await service.sign_in("anna", PASSWORD, "10.0.0.1")
    clock.advance(minutes=31)
    fresh = await service.sign_in("anna", PASSWORD, "10.0.0.1")
    assert await service.purge_expired() == 1
    assert await service.session(fresh.token) is not None
