"""Articles for a call in hand: from the menu choice, the resident's earlier calls and the
transfer note, each with why; over the real articles in ``kb/``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from cic.db import Store
from cic.kb.for_call import menu_department, suggestions_for_call
from cic.kb.service import KbService
from cic.kb.views import call_routes
from cic.web.errors import error_middleware
from tests.component.test_kb_views import as_, fake_auth

KB = Path(__file__).resolve().parents[2] / "kb"
CALL = {"call_id": "c9", "caller_number": "48600100200", "routing_reason": "menu:FN"}


def test_menu_department_from_routing_reasons() -> None:
    assert menu_department("menu:FN") == "FN"
    assert menu_department("menu_department_closed:GK") == "GK"
    assert menu_department("menu_first_line") is None
    assert menu_department("returning_caller:PJSIP/agent-anna") is None
    assert menu_department(None) is None and menu_department("menu:") is None


@pytest.fixture
async def kb(tmp_path: Path) -> AsyncIterator[KbService]:
    store = Store(f"sqlite:///{tmp_path / 'cic.db'}")
    store.migrate()
    service = KbService(store, KB)
    await service.load()
    yield service
    await store.close()


async def earlier(number: str, exclude: str) -> list[dict[str, Any]]:
    assert (number, exclude) == ("48600100200", "c9")
    return [
        {"call_id": "c1", "wrapup": {"topic": "deklaracja śmieciowa", "outcome": "inne"}},
        {"call_id": "c2", "wrapup": None},
        {"call_id": "c3", "wrapup": {"topic": "deklaracja śmieciowa"}},
    ]


async def test_menu_history_and_note_each_bring_articles(kb: KbService) -> None:
    found = await suggestions_for_call(kb, CALL, earlier, note="wycinka drzewa na działce")
    whys = [a["why"] for a in found]
    assert whys[0] == "Wybór w menu: wydział FN"
    assert all(a["department"] == "FN" for a in found if a["why"].startswith("Wybór"))
    waste = [a for a in found if a["why"] == "Poprzednia rozmowa: deklaracja śmieciowa"]
    assert waste and "odpad" in waste[0]["slug"], found
    trees = [a for a in found if a["why"] == "Notatka z przekazania"]
    assert trees and "drzew" in trees[0]["slug"], found
    assert len({a["slug"] for a in found}) == len(found) <= 6


async def test_a_first_caller_without_menu_gets_nothing_but_the_note(kb: KbService) -> None:
    async def none(_number: str, _exclude: str) -> list[dict[str, Any]]:
        return []

    call = {**CALL, "routing_reason": "first_line"}
    assert await suggestions_for_call(kb, call, none) == []


async def test_the_endpoint_needs_sign_in_and_a_known_call(kb: KbService) -> None:
    async def get_call(call_id: str) -> dict[str, Any] | None:
        return CALL if call_id == "c9" else None

    app = web.Application(middlewares=[error_middleware(), fake_auth])
    app.add_routes(call_routes(kb, get_call, earlier))
    async with TestClient(TestServer(app)) as client:
        assert (await client.get("/api/kb/for-call/c9")).status == 401
        ok = await client.get("/api/kb/for-call/c9", headers=as_("agent"))
        assert ok.status == 200
        body = await ok.json()
        assert body["ready"] is True and body["articles"][0]["why"].startswith("Wybór w menu")
        missing = await client.get("/api/kb/for-call/nie-ma", headers=as_("agent"))
        assert missing.status == 404
        long = await client.get("/api/kb/for-call/c9", params={"note": "x" * 2001},
                                headers=as_("agent"))  # fmt: skip
        assert long.status == 400
