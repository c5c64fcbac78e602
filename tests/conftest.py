"""Shared fixtures: database URLs (SQLite and PostgreSQL), the Redis URL, and (from
tests/mailfixtures.py) a real mail system.

PostgreSQL and Redis are expected on 127.0.0.1 (override with CIC_TEST_POSTGRES_URL and
CIC_TEST_REDIS_URL). When one is unreachable its tests are skipped, except when CI=true:
then they fail, so CI never passes by skipping.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import redis
from psycopg import sql
from sqlalchemy.engine import make_url

# The real mail system (Dovecot + Postfix) and its fixtures: mail_server, mail_user.
pytest_plugins = ["tests.mailfixtures"]

POSTGRES_URL = os.environ.get("CIC_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("CIC_TEST_REDIS_URL", "redis://127.0.0.1:6379/7")


def unavailable(reason: str) -> None:
    """Skip the test, or fail it when running in CI (CI=true)."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: not skipping)")
    pytest.skip(reason)


def _admin_conninfo() -> str:
    """A libpq URL for the admin database; falls back from user postgres to root."""
    url = make_url(POSTGRES_URL).set(drivername="postgresql")
    errors = []
    for user in dict.fromkeys((url.username, "postgres", "root")):
        candidate = url.set(username=user).render_as_string(hide_password=False)
        try:
            with psycopg.connect(candidate, connect_timeout=3):
                return candidate
        except psycopg.Error as exc:
            errors.append(f"{user}: {str(exc).strip()}")
    unavailable(f"PostgreSQL unreachable at {POSTGRES_URL}: {'; '.join(errors)}")
    raise AssertionError("unreachable")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh database ``cic_test_<random>`` for this test session, dropped afterwards."""
    admin = _admin_conninfo()
    name = f"cic_test_{secrets.token_hex(4)}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield make_url(admin).set(database=name).render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def empty_postgres(url: str) -> str:
    """Drop everything in the session database so the test starts from an empty schema."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database (no tables): a SQLite file in tmp_path, or the PostgreSQL test DB."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'cic.db'}"
    return empty_postgres(request.getfixturevalue("postgres_url"))


def worker_redis_url(base: str = REDIS_URL) -> str:
    """``base`` with a database of its own for this pytest-xdist worker: gw0 the next index
    after ``base``'s, gw1 the one after (keys of tests running side by side never meet)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw"):
        return base
    head, _, db = base.rpartition("/")
    index = (int(db) if db.isdigit() else 0) + 1 + int(worker[2:])
    if index > 15:
        raise RuntimeError(f"Redis has databases 0-15; worker {worker} would need {index}")
    return f"{head}/{index}"


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The Redis URL for tests (database 7, one more per xdist worker); skipped (or failed
    in CI) when unreachable."""
    url = worker_redis_url()
    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        unavailable(f"Redis unreachable at {url}: {exc}")
    finally:
        client.close()
    return url
