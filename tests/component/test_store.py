"""cic.db on SQLite and PostgreSQL: engines, migrations matching the models, Store.run."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cic.agents.models import Agent, Queue, QueueMembership
from cic.calls.models import Call, CallEvent
from cic.db import (
    UNMODELLED,
    Base,
    Store,
    alembic_config,
    import_models,
    include_name,
    make_engine,
    migrate,
    normalize_url,
)
from cic.review.search import FTS_TABLE, PG_COLUMN, PG_INDEX, PG_TOPICS


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    migrate(db_url)
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def store(engine: Engine) -> Store:
    return Store(engine)


def test_plain_postgresql_urls_get_psycopg3() -> None:
    assert normalize_url("postgresql://u@h/db").drivername == "postgresql+psycopg"
    assert normalize_url("postgres://u@h/db").drivername == "postgresql+psycopg"
    assert normalize_url("postgresql+psycopg://u@h/db").drivername == "postgresql+psycopg"
    assert normalize_url("sqlite:///x.db").drivername == "sqlite"


def test_sqlite_engine_settings(tmp_path: object) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/x.db", busy_timeout=2.5)
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 2500
    engine.dispose()


def test_migration_creates_exactly_the_models_tables(engine: Engine) -> None:
    import_models()
    assert {FTS_TABLE, PG_COLUMN, PG_INDEX, PG_TOPICS} <= UNMODELLED
    tables = set(inspect(engine).get_table_names()) - UNMODELLED
    assert tables == set(Base.metadata.tables) | {"alembic_version"}
    assert {"calls", "call_events", "recordings", "agents", "queues"} <= tables


def test_autogenerate_finds_no_difference(engine: Engine) -> None:
    import_models()
    with engine.connect() as conn:
        opts = {"compare_type": True, "include_name": include_name}
        context = MigrationContext.configure(conn, opts=opts)
        assert compare_metadata(context, Base.metadata) == []


def test_migrate_is_idempotent_and_downgrades_cleanly(db_url: str, engine: Engine) -> None:
    migrate(db_url)
    with engine.begin() as conn:
        config = alembic_config()
        config.attributes["connection"] = conn
        command.downgrade(config, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}


async def test_run_commits_in_a_worker_thread(store: Store) -> None:
    def write(session: Session) -> int:
        session.add(Call(call_id="1700000000.1"))
        return threading.get_ident()

    assert await store.run(write) != threading.get_ident()
    count = await store.run(lambda s: len(s.scalars(select(Call)).all()))
    assert count == 1


async def test_run_rolls_back_on_error(store: Store) -> None:
    def write(session: Session) -> None:
        session.add(Call(call_id="1700000000.2"))
        session.flush()
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await store.run(write)
    assert await store.run(lambda s: s.scalars(select(Call)).all()) == []


async def test_times_come_back_aware_utc(store: Store) -> None:
    warsaw_winter = timezone(timedelta(hours=1))
    entered = datetime(2026, 11, 30, 10, 0, 0, 123456, tzinfo=warsaw_winter)
    await store.run(lambda s: s.add(Call(call_id="t", entered_at=entered)))
    got = await store.run(lambda s: s.scalars(select(Call.entered_at)).one())
    assert got == entered
    assert got is not None and got.tzinfo is not None and got.utcoffset() == timedelta(0)
    assert got.hour == 9


async def test_foreign_keys_are_enforced(store: Store) -> None:
    def orphan(session: Session) -> None:
        session.add(CallEvent(call_id="nope", at=datetime.now(UTC), type="X", data={}))

    with pytest.raises(IntegrityError):
        await store.run(orphan)


async def test_agents_queue_membership_is_unique(store: Store) -> None:
    def setup(session: Session) -> tuple[int, int]:
        agent = Agent(username="anna", display_name="Anna", endpoint=Agent.endpoint_for("anna"))
        queue = Queue(name="pierwsza-linia", title="Pierwsza linia")
        session.add_all([agent, queue])
        session.flush()
        session.add(QueueMembership(queue_id=queue.id, agent_id=agent.id))
        return queue.id, agent.id

    queue_id, agent_id = await store.run(setup)
    defaults = await store.run(
        lambda s: (s.get(Queue, queue_id).strategy, s.get(Agent, agent_id).active)  # type: ignore[union-attr]
    )
    assert defaults == ("rrmemory", True)
    with pytest.raises(IntegrityError):
        await store.run(lambda s: s.add(QueueMembership(queue_id=queue_id, agent_id=agent_id)))


@pytest.mark.parametrize("bad", ["Anna", "anna kowalska", "żaneta", "", "-x", "a/b"])
def test_agent_usernames_are_ascii_lowercase(bad: str) -> None:
    with pytest.raises(ValueError):
        Agent(username=bad, display_name="x", endpoint="agent-x")
    assert Agent(username="jan-2", display_name="Jan", endpoint="agent-jan-2").username == "jan-2"
