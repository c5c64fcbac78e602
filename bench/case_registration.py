"""Case registration rate under concurrency, on SQLite and PostgreSQL.

    PYTHONPATH=. python bench/case_registration.py [--cases 50] [--workers 2 4]

For each database and number of worker processes, a fresh database is migrated and every
worker registers ``--cases`` cases in the same unit, JRWA class and year at once (they start
together at a barrier). Two modes:

- ``full``: ``CaseService.register`` as the API does it (validation, argon2 hash of the PIN
  outside the transaction, counter + case + party + metryka in one transaction);
- ``numbering``: only the transaction (counter, case, party, metryka) with a fixed PIN hash,
  which is where the workers contend.

Prints cases per second and whether the numbers came out 1..N without gaps or duplicates.
PostgreSQL comes from ``CIC_TEST_POSTGRES_URL`` (default ``postgresql://postgres@127.0.0.1/test``);
a temporary database is created and dropped. Figures only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import secrets
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy import select
from sqlalchemy.engine import make_url

from cic.cases import records
from cic.cases.models import Case
from cic.cases.service import Actor, CaseService
from cic.db import Store, migrate

POSTGRES_URL = os.environ.get("CIC_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
BODY = {"unit": "FN", "jrwa": "3110", "title": "Wymiar podatku od nieruchomości (bench)",
        "parties": [{"name": "Jan Testowy", "role": "strona"}]}  # fmt: skip


def _numbering_only(store: Store, i: int) -> None:
    new = records.NewCase(
        unit="FN", jrwa="3110", title=f"bench {i}", started_on=date(2026, 12, 3),
        deadline_kind="miesiac", deadline=date(2027, 1, 4), pin_hash="bench",
        registered_by="bench", parties=[{"name": "Jan Testowy", "role": "strona", "contact": ""}],
    )  # fmt: skip
    store.run_sync(lambda s: records.register(s, new))


def worker(url: str, mode: str, count: int, barrier: Any, out: Any) -> None:
    """Register ``count`` cases; put (start, end) wall-clock times on ``out``."""
    store = Store(url)
    service = CaseService(store, today=lambda: date(2026, 12, 3))  # real argon2 PIN hashing
    actor = Actor("bench", "specialist")

    async def full() -> None:
        for _ in range(count):
            await service.register(dict(BODY), actor)

    barrier.wait(timeout=120)
    start = time.perf_counter()
    if mode == "full":
        asyncio.run(full())
    else:
        for i in range(count):
            _numbering_only(store, i)
    out.put((start, time.perf_counter()))
    store.engine.dispose()


def run(url: str, mode: str, workers: int, count: int) -> tuple[float, bool]:
    """(cases per second, gapless) for one configuration on a freshly migrated database."""
    migrate(url)
    context = multiprocessing.get_context("spawn")
    barrier, out = context.Barrier(workers), context.Queue()
    procs = [
        context.Process(target=worker, args=(url, mode, count, barrier, out))
        for _ in range(workers)
    ]
    for proc in procs:
        proc.start()
    times = [out.get(timeout=600) for _ in procs]
    for proc in procs:
        proc.join()
    seconds = max(end for _s, end in times) - min(start for start, _e in times)
    store = Store(url)
    numbers = store.run_sync(lambda s: sorted(s.scalars(select(Case.number)).all()))
    store.engine.dispose()
    return workers * count / seconds, numbers == list(range(1, workers * count + 1))


def _postgres(admin: str, name: str, create: bool) -> str | None:
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as conn:
            if create:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            else:
                conn.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )
    except psycopg.Error as exc:
        print(f"PostgreSQL unavailable ({str(exc).strip()}); skipped")
        return None
    return make_url(admin).set(database=name).render_as_string(hide_password=False)


def main() -> None:
    """Print the registration rate for every database, mode and number of workers."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=50, help="cases per worker")
    parser.add_argument("--workers", type=int, nargs="+", default=[2, 4])
    args = parser.parse_args()
    admin = make_url(POSTGRES_URL).set(drivername="postgresql")
    admin_url = admin.render_as_string(hide_password=False)
    print(f"{'database':10} {'mode':10} {'workers':>7} {'cases':>6} {'cases/s':>9}  gapless")
    with tempfile.TemporaryDirectory() as tmp:
        for backend in ("sqlite", "postgresql"):
            for mode in ("full", "numbering"):
                for workers in args.workers:
                    name = f"cic_bench_{secrets.token_hex(4)}"
                    url = (
                        f"sqlite:///{Path(tmp) / (name + '.db')}"
                        if backend == "sqlite"
                        else _postgres(admin_url, name, create=True)
                    )
                    if url is None:
                        break
                    try:
                        rate, gapless = run(url, mode, workers, args.cases)
                    finally:
                        if backend == "postgresql":
                            _postgres(admin_url, name, create=False)
                    total = workers * args.cases
                    print(
                        f"{backend:10} {mode:10} {workers:>7} {total:>6} {rate:>9.1f}  "
                        f"{'yes' if gapless else 'NO'}",
                        flush=True,
                    )


if __name__ == "__main__":
    main()
