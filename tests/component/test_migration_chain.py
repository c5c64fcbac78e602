"""Upgrades with data: from the first schema, one revision at a time, to head, on SQLite and
PostgreSQL, with made-up rows written at each revision (tests/component/migration_chain_data.py);
at head every row is still there with the expected values and the services read them."""

from __future__ import annotations

import re
from datetime import date

from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text

from cic.bus import InProcessBus
from cic.calls.service import CallService
from cic.cases.service import Actor, CaseService
from cic.db import Base, Store, alembic_config, import_models, make_engine, migrate
from cic.residents.service import ResidentService
from cic.review.search import TranscriptSearch
from cic.review.search_terms import topic_lexeme
from tests.component.migration_chain_data import CALL, LOST, STEPS, Step, normal

OFFICIAL = Actor("ewa.urzednik", "specialist")
# Filled by the migrations themselves (seeded lists; the search index of 0014), checked at head.
BUILT_BY_MIGRATIONS = {"news_categories", "threat_categories", "transcript_terms"}


def chain() -> list[str]:
    """Alembic's revisions from the first to head."""
    script = ScriptDirectory.from_config(alembic_config())
    return [rev.revision for rev in reversed(list(script.walk_revisions("base", "heads")))]


def write(engine: Engine, step: Step) -> None:
    """Run the step's inserts in one transaction (PostgreSQL session in UTC)."""
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SET LOCAL TIME ZONE 'UTC'"))
        for statement in step.inserts:
            connection.execute(text(statement))


def test_every_revision_has_its_data_step() -> None:
    """A new migration fails here until its step is written in migration_chain_data.py."""
    assert list(STEPS) == chain()


def test_every_table_gets_rows_and_every_written_table_is_checked() -> None:
    written, checked = set(), set()
    for step in STEPS.values():
        for statement in step.inserts:
            written.update(re.findall(r"(?:INSERT INTO|UPDATE) (\w+)", statement))
        for check in step.checks:
            checked.update(re.findall(r"(?:FROM|JOIN) (\w+)", check.sql))
    assert written - checked == set()
    import_models()
    assert set(Base.metadata.tables) - written == BUILT_BY_MIGRATIONS


async def test_rows_of_every_revision_survive_the_upgrade_to_head(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        for revision in chain():
            migrate(engine, revision)
            write(engine, STEPS[revision])
        dialect = engine.dialect.name
        with engine.connect() as connection:
            for revision, step in STEPS.items():
                for check in step.checks:
                    if check.dialect not in ("", dialect):
                        continue
                    rows = [tuple(map(normal, r)) for r in connection.execute(text(check.sql))]
                    assert rows == check.rows, f"{revision}: {check.sql}"
            if dialect == "postgresql":
                lexemes = connection.execute(text("SELECT topic_lexemes FROM transcript_terms"))
                expected = {topic_lexeme("podatki/nieruchomosci"), topic_lexeme("podatki/raty")}
                assert set(lexemes.scalar_one().split()) == expected
        assert set(inspect(engine).get_table_names()) >= set(Base.metadata.tables)
    finally:
        engine.dispose()
    await read_with_the_services(db_url)


async def read_with_the_services(db_url: str) -> None:
    """The application's own services read the upgraded rows."""
    store = Store(db_url)
    try:
        calls = CallService(store, InProcessBus())
        listed = await calls.list_calls()
        assert [c["outcome"] for c in listed] == ["callback", "abandoned", "answered"]
        detail = await calls.get_call(CALL)
        assert detail is not None
        assert detail["answered_at"] == "2026-11-02T09:15:42+00:00"
        assert [r["kind"] for r in detail["recordings"]] == ["call"]
        assert [leg["agent"] for leg in detail["legs"]] == ["PJSIP/agent-anna"]
        assert [e["type"] for e in detail["timeline"]][-1] == "CallEnded"

        cases = CaseService(store, today=lambda: date(2026, 11, 10))
        case = await cases.case("FN.3110.1.2026", OFFICIAL)
        assert case["status"] == "w_toku"
        assert case["deadline"] == "2026-12-02"
        assert case["calls"] == [CALL]
        assert case["reports"] == [1]
        assert [p["name"] for p in case["parties"]] == ["Jan Wiśniewski"]

        residents = ResidentService(store)
        resident = await residents.lookup("601 234 567")
        assert resident is not None
        assert resident["name"] == "Jan Wiśniewski"
        assert resident["emails"] == ["jan.wisniewski@example.pl"]
        assert resident["has_pesel"] is True
        assert await residents.lookup("+48512345678") is None  # LOST's caller is no resident

        hits = await store.run(lambda s: TranscriptSearch().search(s, "podatek nieruchomość"))
        assert [hit["call_id"] for hit in hits] == [CALL]
        assert LOST not in {hit["call_id"] for hit in hits}
    finally:
        await store.close()


def test_downgrade_to_the_first_revision_and_up_again(db_url: str) -> None:
    """Every migration has a working downgrade (empty database)."""
    first = chain()[0]
    engine = make_engine(db_url)
    try:
        migrate(engine)
        migrate(engine, first, down=True)
        assert "calls" in inspect(engine).get_table_names()
        assert "users" not in inspect(engine).get_table_names()
        migrate(engine)
        assert set(inspect(engine).get_table_names()) >= set(Base.metadata.tables)
    finally:
        engine.dispose()
