"""The box "Pierwsze kroki" on the status page: for administrators, until they dismiss it or
the office has a call of its own (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from cic.auth.errors import Forbidden
from cic.auth.models import AuditEntry
from cic.auth.sessions import CurrentUser
from cic.calls.models import Call
from cic.db import Store
from cic.web.first_steps import DISMISSED, FirstSteps

ADMIN = CurrentUser(1, "admin", "Administrator Demo", "admin", None)
SECOND_ADMIN = CurrentUser(2, "ewa", "Ewa Informatyk", "admin", None)
T0 = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)


@pytest.fixture
def store(db_url: str) -> Store:
    store = Store(db_url)
    store.migrate()
    return store


async def test_shown_to_administrators_only(store: Store) -> None:
    steps = FirstSteps(store, clock=lambda: T0)
    assert await steps.shown_to(ADMIN) is True
    assert await steps.shown_to(None) is False
    for role in ("agent", "specialist", "supervisor", "iod", "editor"):
        assert await steps.shown_to(CurrentUser(3, "x", "X", role, None)) is False
    with pytest.raises(Forbidden):
        await steps.dismiss(CurrentUser(3, "kierownik", "Kierownik", "supervisor", None))
    assert await steps.shown_to(ADMIN) is True  # a refused dismissal changed nothing
    await store.close()


async def test_dismissed_by_one_administrator_is_gone_for_them_and_on_record(store: Store) -> None:
    steps = FirstSteps(store, clock=lambda: T0)
    await steps.dismiss(ADMIN, "127.0.0.1")
    assert await steps.shown_to(ADMIN) is False
    assert await steps.shown_to(SECOND_ADMIN) is True
    entries = await store.run(lambda db: [
        (e.action, e.actor, e.ip, e.at) for e in db.scalars(select(AuditEntry))
    ])  # fmt: skip
    assert entries == [(DISMISSED, "admin", "127.0.0.1", T0)]
    await store.close()


async def test_demo_calls_keep_it_and_the_offices_first_own_call_ends_it(store: Store) -> None:
    steps = FirstSteps(store)
    await store.run(lambda db: db.add(Call(call_id="1765000000.1", caller_number="48500100200")))
    assert await steps.shown_to(ADMIN) is True  # the demo resident of `cic demo call`
    await store.run(lambda db: db.add(Call(call_id="1765000000.2", caller_number="600100200")))
    assert await steps.shown_to(ADMIN) is False
    assert await steps.shown_to(SECOND_ADMIN) is False
    await store.close()
