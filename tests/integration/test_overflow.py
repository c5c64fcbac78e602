"""First-line overflow on a real Asterisk: a swamped first line borrows a reserve specialist,
who takes the waiting call, and gives them back once it is calm; a supervisor does it by hand.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from cic.asterisk import process, provision
from cic.demo.scenarios import ResidentCall
from cic.errors import CommandError
from tests.integration.harness import Harness

pytestmark = pytest.mark.integration
FIRST = "pierwsza-linia"


@pytest.fixture(scope="module")
def ov(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    """Asterisk + controller with low overflow thresholds and a short calm period."""
    with Harness.running(
        tmp_path_factory.mktemp("cic-overflow"),
        CIC_OVERFLOW__ADD_WHEN_WAITING="1",
        CIC_OVERFLOW__ADD_WHEN_LONGEST_WAIT="30",
        CIC_OVERFLOW__REMOVE_WHEN_WAITING="0",
        CIC_OVERFLOW__REMOVE_WHEN_LONGEST_WAIT="5",
        CIC_OVERFLOW__CALM_SECONDS="3",
        CIC_OVERFLOW__STEP_SECONDS="1",
        CIC_OVERFLOW__PENALTY="5",
    ) as h:
        finance = {"name": "finanse", "title": "Finanse i podatki", "strategy": "rrmemory"}
        h.api("POST", "/api/admin/queues", finance)
        yield h


def _members(h: Harness, queue: str) -> str:
    return process.rx(provision.locate(h.settings), f"queue show {queue}")


def _entry(h: Harness, username: str) -> dict[str, Any]:
    view = h.api("GET", "/api/first-line")
    return next((m for m in view["members"] if m["username"] == username), {})


def test_swamped_first_line_borrows_the_reserve_and_gives_it_back(ov: Harness) -> None:
    ov.specialist("piotr", "finanse")
    ov.api("PUT", "/api/first-line/reserve/piotr", {"reserve": True, "penalty": None})
    assert "agent-piotr" not in _members(ov, FIRST)
    ov.login("anna")
    before = ov.call_ids()
    first = ov.call(ResidentCall(number="48500100401", hangup_after_ms=40_000))
    ov.wait_for(lambda: any(c["agent"] == "PJSIP/agent-anna" and not c["ended_at"]
                            for c in ov.api("GET", "/api/calls?limit=5")), 40,
                "anna on the first call")  # fmt: skip
    second = ov.call(ResidentCall(number="48500100402", hangup_after_ms=40_000))

    def second_call() -> dict[str, Any]:
        rows = [c for c in ov.api("GET", "/api/calls?limit=10") if c["call_id"] not in before]
        return next((c for c in rows if c["caller_number"] == "48500100402"), {})

    ov.wait_for(lambda: second_call().get("agent") == "PJSIP/agent-piotr", 60,
                "the borrowed specialist answers the waiting call", second_call)  # fmt: skip
    borrowed = _entry(ov, "piotr")
    assert borrowed["in_first_line"] and borrowed["added_by"] == "auto"
    assert borrowed["penalty"] == 5
    assert "agent-piotr" in _members(ov, FIRST)
    assert first.wait(60) == 0 and second.wait(60) == 0
    ov.wait_for(lambda: not _entry(ov, "piotr")["in_first_line"], 30, "reserve given back",
                lambda: _entry(ov, "piotr"))  # fmt: skip
    assert "agent-piotr" not in _members(ov, FIRST)
    assert "agent-piotr" in _members(ov, "finanse")  # still in their own department's queue
    record = ov.api("GET", f"/api/calls/{second_call()['call_id']}")
    assert record["queue"] == FIRST and record["outcome"] == "answered"


def test_a_supervisor_adds_and_removes_first_line_capacity_by_hand(ov: Harness) -> None:
    ov.specialist("zofia", "finanse")
    added = ov.api("POST", "/api/first-line/zofia/add", {})
    assert added["in_first_line"] and added["added_by"] == "api"
    assert "agent-zofia" in _members(ov, FIRST)
    ov.api("POST", "/api/first-line/zofia/remove", {})
    assert "agent-zofia" not in _members(ov, FIRST)
    ov.api("POST", "/api/agents/zofia/logout", {})
    with pytest.raises(CommandError, match=r"^409: .*nie jest zalogowany"):
        ov.api("POST", "/api/first-line/zofia/add", {})  # logged out: nobody to borrow
