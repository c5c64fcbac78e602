"""``AuthService.sign_in`` with the guard: pair locks and back-off through the real store
(SQLite and PostgreSQL), the audit entries of failures, locks and lifts."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from cic.auth import users
from cic.auth.errors import InvalidCredentials, NoSuchLock, Throttled
from cic.auth.models import AuditEntry
from cic.auth.service import AuthService
from cic.config import AuthSettings
from cic.db import Store, migrate
from tests.unit.test_auth_support import T0, FakeClock

SETTINGS = AuthSettings()
ATTACKER, OFFICE = "203.0.113.7", "10.0.0.1"


@pytest.fixture
async def auth(db_url: str) -> AsyncIterator[tuple[AuthService, FakeClock]]:
    migrate(db_url)
    store = Store(db_url)

    def seed(db: object) -> None:
        users.add(db, "anna", "Anna Kowalska", "agent", "dobre-haslo", now=T0)  # type: ignore[arg-type]
        users.add(db, "jan", "Jan Nowak", "agent", "haslo-jana-1", now=T0)  # type: ignore[arg-type]

    store.run_sync(seed)
    clock = FakeClock()
    yield AuthService(store, clock=clock), clock
    await store.close()


def actions(service: AuthService) -> list[AuditEntry]:
    return service.store.run_sync(
        lambda db: list(db.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    )


async def fail_times(service: AuthService, clock: FakeClock, n: int, name: str, ip: str) -> None:
    for _ in range(n):
        clock.advance(seconds=SETTINGS.backoff_max_seconds)  # past any back-off
        with pytest.raises(InvalidCredentials):
            await service.sign_in(name, "złe hasło", ip)


async def test_locked_pair_refuses_even_the_right_password_but_only_there(
    auth: tuple[AuthService, FakeClock],
) -> None:
    service, clock = auth
    await fail_times(service, clock, SETTINGS.lock_after, "anna", ATTACKER)
    clock.advance(seconds=SETTINGS.backoff_max_seconds)
    with pytest.raises(Throttled) as exc:
        await service.sign_in("anna", "dobre-haslo", ATTACKER)
    assert exc.value.status == 429 and exc.value.error_id == "too_many_attempts"
    assert (await service.sign_in("anna", "dobre-haslo", OFFICE)).user.username == "anna"
    assert (await service.sign_in("jan", "haslo-jana-1", ATTACKER)).user.username == "jan"
    entries = actions(service)
    names = [e.action for e in entries]
    assert names.count("sign_in_failed") == SETTINGS.lock_after
    [locked] = [e for e in entries if e.action == "sign_in_locked"]
    assert (locked.target, locked.ip, locked.detail["address"]) == ("anna", ATTACKER, ATTACKER)
    assert locked.detail["failures"] == SETTINGS.lock_after
    throttled = [e for e in entries if e.action == "sign_in_throttled"]
    assert throttled[-1].detail["reason"] == "locked"


async def test_backoff_refuses_quick_retries_and_success_resets(
    auth: tuple[AuthService, FakeClock],
) -> None:
    service, clock = auth
    await fail_times(service, clock, 5, "anna", OFFICE)
    with pytest.raises(Throttled):
        await service.sign_in("anna", "dobre-haslo", OFFICE)
    clock.advance(seconds=2)
    signed = await service.sign_in("anna", "dobre-haslo", OFFICE)
    assert signed.user.username == "anna"
    assert service.guard.locks() == []
    assert service.guard.check("anna", OFFICE).wait == 0


async def test_parallel_guesses_are_counted_before_they_are_checked(
    auth: tuple[AuthService, FakeClock],
) -> None:
    service, _ = auth
    attempts = [service.sign_in("anna", f"zgadnij-{n}", "10.0.0.9") for n in range(20)]
    results = await asyncio.gather(*attempts, return_exceptions=True)
    assert sum(isinstance(r, InvalidCredentials) for r in results) == SETTINGS.backoff_after
    assert sum(isinstance(r, Throttled) for r in results) == 20 - SETTINGS.backoff_after


async def test_spraying_names_slows_the_address_but_locks_no_one(
    auth: tuple[AuthService, FakeClock],
) -> None:
    service, clock = auth
    for n in range(30):
        await fail_times(service, clock, 1, f"nikt{n}", ATTACKER)
    await fail_times(service, clock, 1, "anna", ATTACKER)
    with pytest.raises(Throttled) as exc:  # the address backs off ...
        await service.sign_in("anna", "dobre-haslo", ATTACKER)
    assert exc.value.retry_after <= SETTINGS.backoff_max_seconds  # ... but never for long
    clock.advance(seconds=exc.value.retry_after)
    assert (await service.sign_in("anna", "dobre-haslo", ATTACKER)).user.username == "anna"
    assert service.guard.locks() == []
    assert "sign_in_locked" not in [e.action for e in actions(service)]


async def test_admin_lifts_a_lock_and_it_is_audited(auth: tuple[AuthService, FakeClock]) -> None:
    service, clock = auth
    await fail_times(service, clock, SETTINGS.lock_after, "anna", ATTACKER)
    await service.lift_lock(ATTACKER, "anna", actor="root", actor_ip=OFFICE)
    clock.advance(seconds=SETTINGS.backoff_max_seconds)
    assert (await service.sign_in("anna", "dobre-haslo", ATTACKER)).user.username == "anna"
    with pytest.raises(NoSuchLock):
        await service.lift_lock(ATTACKER, "anna", actor="root")
    [lifted] = [e for e in actions(service) if e.action == "sign_in_unlocked"]
    assert (lifted.actor, lifted.target, lifted.ip) == ("root", "anna", OFFICE)
    assert lifted.detail == {"address": ATTACKER, "kind": "pair"}


async def test_odd_usernames_fail_without_reaching_the_database_query(
    auth: tuple[AuthService, FakeClock],
) -> None:
    service, clock = auth
    for name in ("an\x00na", "\ud800", "a" * 5000, "ANNA"):
        clock.advance(seconds=SETTINGS.backoff_max_seconds)
        with pytest.raises(InvalidCredentials):
            await service.sign_in(name, "dobre-haslo", OFFICE)
    failed = [e for e in actions(service) if e.action == "sign_in_failed"]
    assert [e.actor for e in failed][:2] == ["an\ufffdna", "\ufffd"]
