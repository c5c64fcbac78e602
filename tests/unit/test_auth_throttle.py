"""Back-off after 5 failures, the 10th attempt in a row refused, a success resets."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from cic.auth import users
from cic.auth.errors import InvalidCredentials, Throttled
from cic.auth.models import AuditEntry
from cic.auth.service import AuthService
from cic.auth.settings import AuthSettings
from cic.auth.throttle import Throttle
from cic.db import Store, migrate
from tests.unit.test_auth_support import T0, FakeClock

SETTINGS = AuthSettings()


def test_backoff_starts_after_five_failures_and_doubles() -> None:
    clock = FakeClock()
    throttle = Throttle(SETTINGS, clock)
    for _ in range(4):
        throttle.failure("user:a")
        assert throttle.wait_seconds("user:a") == 0
    throttle.failure("user:a")
    assert throttle.wait_seconds("user:a") == 2
    clock.advance(seconds=1)
    assert throttle.wait_seconds("user:a") == 1
    clock.advance(seconds=1)
    assert throttle.wait_seconds("user:a") == 0
    throttle.failure("user:a")
    assert throttle.wait_seconds("user:a") == 4
    assert throttle.wait_seconds("user:b") == 0


def test_nine_failures_lock_until_lockout_passes_and_success_resets() -> None:
    clock = FakeClock()
    throttle = Throttle(SETTINGS, clock)
    for _ in range(9):
        throttle.failure("ip:1.2.3.4")
    assert throttle.wait_seconds("ip:1.2.3.4") == SETTINGS.lockout_seconds
    clock.advance(seconds=SETTINGS.lockout_seconds)
    assert throttle.wait_seconds("ip:1.2.3.4") == 0
    throttle.success("ip:1.2.3.4")
    assert throttle.failures("ip:1.2.3.4") == 0


@pytest.fixture
async def auth(db_url: str) -> AsyncIterator[tuple[AuthService, FakeClock]]:
    migrate(db_url)
    store = Store(db_url)
    store.run_sync(
        lambda db: users.add(db, "anna", "Anna Kowalska", "agent", "dobre-haslo", now=T0)
    )
    clock = FakeClock()
    yield AuthService(store, clock=clock), clock
    await store.close()


async def fail_times(service: AuthService, clock: FakeClock, n: int, name: str = "anna") -> None:
    for _ in range(n):
        clock.advance(seconds=SETTINGS.backoff_max_seconds)  # past any back-off
        with pytest.raises(InvalidCredentials):
            await service.sign_in(name, "złe hasło", "10.0.0.1")


async def test_tenth_attempt_refused_even_with_the_right_password(
    auth: tuple[AuthService, FakeClock],
) -> None:
    service, clock = auth
    await fail_times(service, clock, 9)
    clock.advance(seconds=SETTINGS.backoff_max_seconds)
    with pytest.raises(Throttled) as exc:
        await service.sign_in("anna", "dobre-haslo", "10.0.0.1")
    assert exc.value.status == 429 and exc.value.error_id == "too_many_attempts"
    actions = service.store.run_sync(
        lambda db: [e.action for e in db.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    )
    assert actions.count("sign_in_failed") == 9 and actions[-1] == "sign_in_throttled"


async def test_backoff_refuses_quick_retries_and_success_resets(
    auth: tuple[AuthService, FakeClock],
) -> None:
    service, clock = auth
    await fail_times(service, clock, 5)
    with pytest.raises(Throttled):
        await service.sign_in("anna", "dobre-haslo", "10.0.0.1")
    clock.advance(seconds=2)
    signed = await service.sign_in("anna", "dobre-haslo", "10.0.0.1")
    assert signed.user.username == "anna"
    assert service.throttle.failures("user:anna") == 0
    assert service.throttle.failures("ip:10.0.0.1") == 0


async def test_parallel_guesses_are_counted_before_they_are_checked(
    auth: tuple[AuthService, FakeClock],
) -> None:
    service, _ = auth
    attempts = [service.sign_in("anna", f"zgadnij-{n}", "10.0.0.9") for n in range(20)]
    results = await asyncio.gather(*attempts, return_exceptions=True)
    assert sum(isinstance(r, InvalidCredentials) for r in results) == SETTINGS.backoff_after
    assert sum(isinstance(r, Throttled) for r in results) == 20 - SETTINGS.backoff_after


async def test_unknown_users_fail_like_wrong_passwords(auth: tuple[AuthService, FakeClock]) -> None:
    service, clock = auth
    await fail_times(service, clock, 9, name="nikt")
    with pytest.raises(Throttled):
        await service.sign_in("nikt", "x", "10.0.0.2")  # per username
    with pytest.raises(Throttled):
        await service.sign_in("anna", "dobre-haslo", "10.0.0.1")  # per address
