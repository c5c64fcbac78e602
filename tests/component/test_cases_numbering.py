"""Gapless numbering: two processes registering cases in the same class at once.

Each worker is a separate process with its own engine; they start together at a barrier.
Every seventh registration of a worker fails after taking its number and is rolled back:
its counter increment must roll back too, so the committed numbers are 1..N with no gap.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import time
from datetime import date
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cic.calls.models import Call
from cic.cases import records
from cic.cases.models import Case, CaseCounter
from cic.cases.service import Actor, CaseService
from cic.db import Store, migrate

PER_WORKER = 150
WORKERS = 2


class Abandoned(Exception):
    """Raised inside a registration on purpose, to roll it back."""


def _new(worker: int, i: int) -> records.NewCase:
    return records.NewCase(
        unit="FN",
        jrwa="3110",
        title=f"Wymiar podatku {worker}-{i}",
        started_on=date(2026, 12, 3),
        deadline_kind="miesiac",
        deadline=date(2027, 1, 4),
        pin_hash="nie-dotyczy",
        registered_by=f"urzednik{worker}",
        parties=[{"name": "Jan Testowy", "role": "strona", "contact": ""}],
    )


def register_many(url: str, worker: int, count: int, barrier: Any, out: Any) -> None:
    """Worker process: ``count`` committed registrations plus rolled-back ones."""
    store = Store(url)
    committed: list[str] = []
    abandoned = 0
    barrier.wait(timeout=60)
    i = 0
    while len(committed) < count:
        i += 1
        fail = i % 7 == 0

        def work(session: Session, i: int = i, fail: bool = fail) -> str:
            case = records.register(session, _new(worker, i))
            if fail:
                raise Abandoned(case.signature)
            return case.signature

        try:
            committed.append(store.run_sync(work))
        except Abandoned:
            abandoned += 1
        time.sleep(0.002)  # yield, as an official between two registrations would
    store.engine.dispose()
    out.put((worker, committed, abandoned))


def register_through_the_service(url: str, worker: int, count: int, barrier: Any, out: Any) -> None:
    """Worker process: ``count`` registrations as the API makes them (cheap argon2 settings)."""
    store = Store(url)
    hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    service = CaseService(store, today=lambda: date(2026, 12, 3), pin_hasher=hasher.hash)
    actor = Actor(f"urzednik{worker}", "specialist")
    body = {"unit": "OŚ", "jrwa": "6131", "title": "Wycinka drzewa", "call_id": f"w{worker}",
            "parties": [{"name": "Maria Przykładowa", "role": "wnioskodawczyni"}]}  # fmt: skip

    async def register() -> list[str]:
        return [(await service.register(body, actor))["signature"] for _ in range(count)]

    barrier.wait(timeout=60)
    out.put((worker, asyncio.run(register()), 0))
    store.engine.dispose()


def run_workers(target: Any, db_url: str, workers: int, count: int) -> list[Any]:
    """Start ``workers`` processes of ``target`` together; their results."""
    context = multiprocessing.get_context("spawn")
    barrier, out = context.Barrier(workers), context.Queue()
    processes = [
        context.Process(target=target, args=(db_url, w, count, barrier, out))
        for w in range(workers)
    ]
    for process in processes:
        process.start()
    results = [out.get(timeout=300) for _ in processes]
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    return results


def test_two_processes_through_the_service(db_url: str) -> None:
    migrate(db_url)
    store = Store(db_url)  # the calls each worker's cases are about are on record
    store.run_sync(lambda s: s.add_all([Call(call_id=f"w{w}") for w in range(2)]))
    store.engine.dispose()
    count = 60
    results = run_workers(register_through_the_service, db_url, 2, count)
    signatures = [s for _worker, done, _abandoned in results for s in done]
    assert len(set(signatures)) == 2 * count
    assert sorted(int(s.split(".")[2]) for s in signatures) == list(range(1, 2 * count + 1))
    assert all(s.startswith("OŚ.6131.") and s.endswith(".2026") for s in signatures)


@pytest.mark.parametrize("workers", [WORKERS])
def test_two_processes_number_without_gaps_or_duplicates(db_url: str, workers: int) -> None:
    migrate(db_url)
    results = run_workers(register_many, db_url, workers, PER_WORKER)
    signatures = [s for _worker, done, _abandoned in results for s in done]
    total = workers * PER_WORKER
    assert len(signatures) == total and len(set(signatures)) == total
    assert sum(abandoned for _w, _d, abandoned in results) >= workers * (PER_WORKER // 7)

    store = Store(db_url)
    numbers = store.run_sync(lambda s: sorted(s.scalars(select(Case.number)).all()))
    last = store.run_sync(lambda s: s.scalars(select(CaseCounter.last_number)).one())
    stored = store.run_sync(lambda s: set(s.scalars(select(Case.signature)).all()))
    store.engine.dispose()
    assert numbers == list(range(1, total + 1))  # no gaps, no duplicates
    assert last == total
    assert stored == set(signatures)
    assert f"FN.3110.{total}.2026" in stored
    # The workers really ran at the same time: their numbers interleave (each one's range
    # overlaps the others'), rather than one worker taking a block after the other.
    ranges = [sorted(int(s.split(".")[2]) for s in done) for _w, done, _a in results]
    for mine in ranges:
        others = [n for other in ranges if other is not mine for n in other]
        assert mine[0] < max(others) and min(others) < mine[-1], [(r[0], r[-1]) for r in ranges]


def test_counters_are_per_unit_class_and_year(tmp_path: Any) -> None:
    url = f"sqlite:///{tmp_path / 'cic.db'}"
    migrate(url)
    store = Store(url)

    def register(unit: str, jrwa: str, year: int) -> str:
        new = _new(0, 0)
        new.unit, new.jrwa, new.started_on = unit, jrwa, date(year, 6, 1)
        return store.run_sync(lambda s: records.register(s, new).signature)

    got = [
        register("FN", "3110", 2026),
        register("FN", "3110", 2026),
        register("FN", "3111", 2026),
        register("FN-I", "3110", 2026),
        register("FN", "3110", 2025),
        register("FN", "3110", 2026),
    ]
    assert got == [
        "FN.3110.1.2026",
        "FN.3110.2.2026",
        "FN.3111.1.2026",
        "FN-I.3110.1.2026",
        "FN.3110.1.2025",
        "FN.3110.3.2026",
    ]
    assert store.run_sync(lambda s: s.scalar(select(func.count()).select_from(CaseCounter))) == 4
    store.engine.dispose()
