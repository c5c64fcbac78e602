"""The database: one declarative ``Base``, engines, Alembic migrations and the ``Store``.

SQLite is the embedded default; PostgreSQL is used through psycopg 3 when the URL says so.
Domain services never open sessions themselves: they hand a small synchronous function to
``Store.run``, which runs it in a worker thread inside one transaction.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from importlib.resources import files
from pathlib import Path
from typing import Any, Protocol, TypeVar

from sqlalchemy import DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.engine import URL, Connection, Dialect, make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import StaticPool
from sqlalchemy.types import TypeDecorator

from cic.private import private_database

T = TypeVar("T")
log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(str(files("cic") / "migrations"))

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """The one declarative base of every cic table (constraint names follow a convention)."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    """The current time as a timezone-aware UTC datetime."""
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """``value`` converted to UTC; a naive datetime is taken to be UTC already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime stored as UTC and always read back as aware UTC.

    PostgreSQL keeps it in ``timestamptz``; SQLite, which has no time zones, keeps naive UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Convert to UTC on the way in (naive for SQLite)."""
        if value is None:
            return None
        value = as_utc(value)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Return aware UTC whatever the backend handed back."""
        return None if value is None else as_utc(value)


def normalize_url(url: str | URL) -> URL:
    """Parse ``url``; a plain ``postgresql://`` or ``postgres://`` URL gets psycopg 3."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def make_engine(url: str | URL, *, busy_timeout: float = 5.0, connect_timeout: int = 5) -> Engine:
    """An engine for ``url``.

    SQLite: usable from worker threads, WAL journal, foreign keys on, ``busy_timeout`` seconds
    of waiting for a lock before "database is locked". PostgreSQL: psycopg 3, connections
    checked before use (so the pool recovers after a server restart), ``connect_timeout``
    seconds to connect unless the URL sets its own.
    """
    parsed = normalize_url(url)
    if parsed.get_backend_name() == "sqlite":
        kwargs: dict[str, Any] = {
            "connect_args": {"check_same_thread": False, "timeout": busy_timeout}
        }
        if parsed.database in (None, "", ":memory:"):
            kwargs["poolclass"] = StaticPool
        elif Path(parsed.database).parent.is_dir():
            private_database(parsed.database)  # personal data: 0600 before SQLite opens it
        engine = create_engine(parsed, hide_parameters=True, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    connect_args: dict[str, Any] = {}
    if parsed.get_backend_name() == "postgresql" and "connect_timeout" not in parsed.query:
        connect_args["connect_timeout"] = connect_timeout
    # hide_parameters: a database error's text (logged) never carries the values, which are
    # residents' numbers, names and notes.
    return create_engine(
        parsed, pool_pre_ping=True, connect_args=connect_args, hide_parameters=True
    )


def import_models() -> list[str]:
    """Import every ``cic.<domain>.models`` module so ``Base.metadata`` knows all tables.

    Returns the module names, sorted. Alembic's ``env.py`` calls this, so a new domain's
    tables are seen by ``alembic revision --autogenerate`` without further wiring.
    """
    root = Path(__file__).resolve().parent
    names = []
    for path in sorted(root.rglob("models.py")):
        relative = path.relative_to(root).with_suffix("")
        if relative.parts[0] == "migrations":
            continue
        names.append(".".join(("cic", *relative.parts)))
    for name in names:
        importlib.import_module(name)
    return names


def alembic_config(url: str | URL | None = None) -> Any:
    """An Alembic ``Config`` for the migrations shipped inside the package (no alembic.ini)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url is not None:
        rendered = normalize_url(url).render_as_string(hide_password=False)
        config.set_main_option("sqlalchemy.url", rendered.replace("%", "%%"))
    return config


@contextmanager
def migration_connection(engine: Engine) -> Iterator[Connection]:
    """A connection in a transaction for Alembic.

    On SQLite the foreign keys are off while migrations run: batch mode rebuilds a table by
    copying it and dropping the old one, and with foreign keys on that drop fires ON DELETE
    CASCADE / SET NULL in the tables that refer to it (an upgrade deleted every call's timeline
    and recordings and cleared agents' departments). Afterwards ``PRAGMA foreign_key_check``
    must find nothing, else the migration is rolled back.
    """
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            with connection.begin():
                yield connection
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                    if broken:
                        raise RuntimeError(f"migration left broken foreign keys: {broken[:5]}")
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


def migrate(url: str | URL | Engine, revision: str = "head", *, down: bool = False) -> None:
    """Bring the database at ``url`` (or behind an engine) up to ``revision`` with Alembic
    (or, with ``down``, back down to it)."""
    from alembic import command

    engine = url if isinstance(url, Engine) else make_engine(url)
    try:
        with migration_connection(engine) as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            (command.downgrade if down else command.upgrade)(config, revision)
    finally:
        if engine is not url:
            engine.dispose()


class Store:
    """The engine plus a session factory; ``run`` executes database work off the event loop."""

    def __init__(self, url_or_engine: str | URL | Engine) -> None:
        """Wrap an existing engine, or make one for a URL with ``make_engine``."""
        if isinstance(url_or_engine, Engine):
            self.engine = url_or_engine
        else:
            self.engine = make_engine(url_or_engine)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    def run_sync(self, fn: Callable[[Session], T]) -> T:
        """Run ``fn(session)`` in one transaction: commit on return, roll back on error."""
        with self.sessions.begin() as session:
            return fn(session)

    async def run(self, fn: Callable[[Session], T]) -> T:
        """Run ``fn(session)`` in a worker thread inside one transaction and return its result.

        Return plain values (dicts, ids), not ORM objects, from ``fn``.
        """
        return await asyncio.to_thread(self.run_sync, fn)

    def migrate(self) -> None:
        """Upgrade this store's database to the newest schema."""
        migrate(self.engine)

    async def close(self) -> None:
        """Close every pooled connection."""
        await asyncio.to_thread(self.engine.dispose)


def is_transient(exc: BaseException) -> bool:
    """True for errors that mean "database unreachable/busy", worth retrying later.

    OperationalError covers PostgreSQL down, SQLite "database is locked" and "disk is full".
    """
    if isinstance(exc, OperationalError | InterfaceError | PoolTimeoutError):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


@dataclass
class PendingWrite:
    """One write waiting in a ``WriteBacklog``; ``after`` gets the write's result once committed."""

    label: str
    write: Callable[[Session], Any]
    after: Callable[[Any], Awaitable[None]] | None = None
    attempts: int = 0
    record: dict[str, Any] | None = None
    spooled: bool = False


class Spool(Protocol):
    """Where a backlog keeps its writes durably during an outage (``cic.spool.FileSpool``)."""

    def append(self, records: list[dict[str, Any]]) -> None:
        """Add records durably."""
        ...

    def clear(self) -> None:
        """Forget every record."""
        ...


def _write_all(items: list[PendingWrite], session: Session) -> list[Any]:
    return [item.write(session) for item in items]


class WriteBacklog:
    """Writes that must survive a database outage: applied strictly in order, kept meanwhile.

    ``submit`` queues a write and drains the queue, unless a drain is already running or the
    last outage was less than ``retry_interval`` seconds ago (so a dead database does not
    slow every caller). ``drain`` always tries. Transient errors (``is_transient``) stop the
    drain and keep everything; other database errors are retried ``max_attempts`` times and
    then the write is dropped and logged with its label (it would block the queue forever);
    any other exception drops the write at once (a bug). When more than ``limit`` writes
    wait, the oldest is dropped and logged. Nothing here ever raises into the caller.

    With a ``spool``, writes that carry a ``record`` are also kept on disk while the database
    is away (all waiting ones when the outage starts, each new one as it comes), so a restart
    loses none; the spool is emptied once everything is written. The owner replays it at
    start (its writes must be idempotent: a record may have been written before the crash);
    writes replayed from the spool (``keep_spool`` set) are not spooled a second time.

    ``hold`` (the database was unreachable at start-up, so it may not be migrated yet): writes
    only queue and are spooled; nothing is written until the owner clears it and drains.
    """

    def __init__(
        self,
        store: Store,
        *,
        limit: int = 100_000,
        retry_interval: float = 2.0,
        max_attempts: int = 3,
        name: str = "writes",
        batch: int = 200,
        spool: Spool | None = None,
    ) -> None:
        """Queue writes for ``store``; at most ``batch`` go in one transaction."""
        self.store = store
        self.spool = spool
        self.spool_dirty = False
        self.keep_spool = False  # while the owner replays the spool: do not empty it yet
        self.hold = False
        self.batch = max(batch, 1)
        self.limit = limit
        self.retry_interval = retry_interval
        self.max_attempts = max_attempts
        self.name = name
        self.dropped = 0
        self._pending: deque[PendingWrite] = deque()
        self._lock = asyncio.Lock()
        self._retry_at = 0.0
        self._outage = False

    def __len__(self) -> int:
        """How many writes are waiting."""
        return len(self._pending)

    async def submit(
        self,
        label: str,
        write: Callable[[Session], Any],
        after: Callable[[Any], Awaitable[None]] | None = None,
        record: dict[str, Any] | None = None,
    ) -> bool:
        """Queue a write and try to drain; True if nothing is left waiting. ``record`` is what
        the spool keeps of it (JSON-ready), for writes that must survive a restart."""
        if len(self._pending) >= self.limit:
            oldest = self._pending.popleft()
            self.dropped += 1
            log.error(
                "%s backlog full (%d): DROPPED %s (%d dropped so far)",
                self.name,
                self.limit,
                oldest.label,
                self.dropped,
            )
        item = PendingWrite(label, write, after, record=record, spooled=self.keep_spool)
        self._pending.append(item)
        if self._outage or self.hold:
            await self._spool([item])
        if self.hold:
            return False
        if self._lock.locked() or time.monotonic() < self._retry_at:
            return False
        return await self.drain()

    async def drain(self) -> bool:
        """Apply waiting writes in order until none is left or the database fails.

        Up to ``batch`` waiting writes go in one transaction (one thread hop, one commit):
        under load, events queue while a write runs and are then written together. A batch
        that fails for another reason than an outage is written again one by one, so one bad
        write costs only itself.
        """
        if self.hold:
            return False
        async with self._lock:
            single = 0
            while self._pending:
                size = 1 if single else min(self.batch, len(self._pending))
                items = [self._pending[i] for i in range(size)]
                try:
                    results = await self.store.run(partial(_write_all, items))
                except Exception as exc:
                    if is_transient(exc):
                        self._note_outage(exc)
                        await self._spool(list(self._pending))
                        return False
                    if size > 1:
                        single = size
                        continue
                    self._note_failure(items[0], exc)
                    if not (self._pending and self._pending[0] is items[0]):
                        single = max(single - 1, 0)  # dropped; a kept one is tried again
                    continue
                single = max(single - size, 0)
                for item in items:
                    self._done(item)
                if self._outage:
                    self._outage = False
                    log.warning("%s: database reachable again", self.name)
                for item, result in zip(items, results, strict=True):
                    if item.after is not None:
                        try:
                            await item.after(result)
                        except Exception:
                            log.exception("%s: follow-up of %s failed", self.name, item.label)
            if self.spool is not None and self.spool_dirty and not self.keep_spool:
                await asyncio.to_thread(self.spool.clear)
                self.spool_dirty = False
                log.warning("%s: every spooled write is in the database", self.name)
            return True

    async def _spool(self, items: list[PendingWrite]) -> None:
        if self.spool is None:
            return
        fresh = [i for i in items if i.record is not None and not i.spooled]
        if not fresh:
            return
        try:
            await asyncio.to_thread(self.spool.append, [i.record for i in fresh if i.record])
        except OSError as exc:
            log.error("%s: could not spool %d write(s) to disk: %s", self.name, len(fresh), exc)
            return
        for item in fresh:
            item.spooled = True
        self.spool_dirty = True

    def _done(self, item: PendingWrite) -> None:
        if self._pending and self._pending[0] is item:
            self._pending.popleft()

    def _note_outage(self, exc: BaseException) -> None:
        self._retry_at = time.monotonic() + self.retry_interval
        if not self._outage:
            log.error(
                "%s: database unavailable, keeping %d write(s) to retry: %s",
                self.name,
                len(self._pending),
                exc,
            )
        self._outage = True

    def _note_failure(self, item: PendingWrite, exc: BaseException) -> None:
        item.attempts += 1
        if isinstance(exc, DBAPIError) and item.attempts < self.max_attempts:
            log.warning("%s: %s failed (attempt %d): %s", self.name, item.label, item.attempts, exc)
            return
        self._done(item)
        self.dropped += 1
        log.error("%s: DROPPED %s after an error", self.name, item.label, exc_info=exc)


# The transcript search index's objects, made by migrations 0014 and 0016 for one engine only
# (SQLite's FTS5 table, PostgreSQL's generated vector, lexemes and index), so no model
# describes them: Alembic's autogenerate must not propose dropping them.
UNMODELLED = frozenset(
    {"transcript_terms_fts", "transcript_terms_fts_data", "transcript_terms_fts_idx",
     "transcript_terms_fts_docsize", "transcript_terms_fts_config", "search_vector",
     "topic_lexemes", "ix_transcript_terms_search_vector"}
)  # fmt: skip


def include_name(name: str | None, type_: str, parent_names: Mapping[str, Any]) -> bool:
    """Alembic ``include_name`` hook: False for the objects no model describes."""
    return name not in UNMODELLED
