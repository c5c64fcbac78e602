"""The in-memory index of open matters' owners: the same answers as the database query,
fresh soon after a change, and still answering when the database is gone."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date

from sqlalchemy import text

from cic.cases.owner_index import OwnerIndex
from cic.cases.owners import MatterOwners, open_matter_owners
from cic.cases.service import CaseService
from cic.db import Store
from cic.residents.schemas import NewResident
from cic.residents.service import ResidentService
from tests.component.test_case_owner_routing import EWA, OFFICIAL, _case, store  # noqa: F401

SPELLINGS = ["+48600100200", "48600100200", "0048600100200", "600100200", "0600100200",
             "+48 600 100 200", "+48600100300", "48600100300", "anonymous", "", "x" * 300,
             "\"'; DROP TABLE cases;--"]  # fmt: skip


async def _until(check: Callable[[], Awaitable[bool]], what: str) -> None:
    for _ in range(500):
        if await check():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"not within 5 s: {what}")


async def _same_as_the_database(store: Store, index: OwnerIndex) -> None:  # noqa: F811
    await index.rebuild()
    for number in SPELLINGS:
        expected = await store.run(lambda s, n=number: open_matter_owners(s, n))
        assert index.owners(number) == expected, number


async def test_answers_as_the_database_query(store: Store) -> None:  # noqa: F811
    index = OwnerIndex(store)
    assert not index.loaded and index.owners("48600100200") == []
    await _same_as_the_database(store, index)
    first = await _case(store, "c1")
    await _case(store, "c1", assigned="")  # unassigned: no owner
    await _same_as_the_database(store, index)
    assert index.owners("0600100200") == [(EWA, first["signature"])]
    await ResidentService(store).create(
        NewResident.model_validate({"name": "Jan", "numbers": ["600100200", "600100300"]}), "a"
    )
    await _same_as_the_database(store, index)
    assert index.owners("48600100300") == [(EWA, first["signature"])]  # the resident's other one
    second = await _case(store, "c2")
    await _same_as_the_database(store, index)
    assert {s for _i, s in index.owners("48600100300")} == {first["signature"], second["signature"]}
    cases = CaseService(store, today=lambda: date(2026, 12, 3))
    await cases.update_case(first["signature"], {"status": "zakonczona"}, OFFICIAL)
    await _same_as_the_database(store, index)
    status = index.status()
    assert status["loaded"] and status["cases"] == 1  # the second case only


async def test_a_commit_that_changes_cases_refreshes_it_soon(store: Store) -> None:  # noqa: F811
    index = OwnerIndex(store, min_interval=0.01, max_age=3600)
    runner = asyncio.create_task(index.run())
    try:
        await _until(lambda: _true(index.loaded), "first load")
        before = index.rebuilds
        case = await _case(store, "c1")  # committed in a worker thread
        await _until(lambda: _true(bool(index.owners("48600100200"))), "the new case indexed")
        assert index.owners("48600100200") == [(EWA, case["signature"])]
        assert index.rebuilds > before
        # A commit that touches no case, resident, user or agent does not rebuild.
        settled = index.rebuilds
        await store.run(lambda s: s.execute(text("SELECT 1")))
        await asyncio.sleep(0.1)
        assert index.rebuilds == settled
    finally:
        runner.cancel()
        await asyncio.gather(runner, return_exceptions=True)


async def _true(value: bool) -> bool:
    return value


async def test_keeps_answering_when_the_database_is_gone(store: Store) -> None:  # noqa: F811
    case = await _case(store, "c1")
    index = OwnerIndex(store, min_interval=0.01, max_age=0.01)
    await index.rebuild()
    matters = MatterOwners(store, index)

    async def down(_fn: object) -> object:
        raise ConnectionError("database down")

    store.run = down  # type: ignore[method-assign]
    runner = asyncio.create_task(index.run())
    try:
        await asyncio.sleep(0.1)  # rebuilds fail meanwhile
        assert await matters.owners("+48600100200") == [(EWA, case["signature"])]
    finally:
        runner.cancel()
        await asyncio.gather(runner, return_exceptions=True)
