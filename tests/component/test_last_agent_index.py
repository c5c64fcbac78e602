"""The last-agent index answers routing without a database round trip, and agrees with it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from cic.bus import InProcessBus
from cic.calls.last_agent import LastAgentIndex
from cic.calls.service import CallService
from cic.db import Store
from cic.events import CallAnswered, CallEntered

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def test_keeps_the_latest_answer_per_number() -> None:
    index = LastAgentIndex()
    index.note("48500100200", T0, "PJSIP/agent-anna")
    index.note("48500100200", T0 - timedelta(days=1), "PJSIP/agent-old")
    assert index.lookup("48500100200", T0 - timedelta(days=30)) == "PJSIP/agent-anna"
    index.note("48500100200", T0 + timedelta(hours=1), "PJSIP/agent-bartek")
    assert index.lookup("48500100200", T0) == "PJSIP/agent-bartek"
    assert index.lookup("48500100200", T0 + timedelta(days=1)) is None
    assert index.lookup("48500100999", T0 - timedelta(days=1)) is None


async def answered(
    service: CallService, call_id: str, number: str, agent: str, at: datetime
) -> None:
    await service.apply(CallEntered(at, call_id, "PJSIP/residents-1", number, "", "1000"))
    await service.apply(CallAnswered(at, call_id, "pierwsza-linia", agent, 2.0))


async def test_loaded_from_the_store_and_kept_current(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'cic.db'}")
    store.migrate()
    first = CallService(store, InProcessBus())
    await answered(first, "c1", "48500100200", "PJSIP/agent-anna", T0)
    await answered(first, "c2", "48500100200", "PJSIP/agent-bartek", T0 + timedelta(hours=1))
    await answered(first, "c3", "48500100300", "PJSIP/agent-anna", T0 - timedelta(days=60))
    since = T0 - timedelta(days=30)
    from_db = await first.last_agent("48500100200", since)

    restarted = CallService(store, InProcessBus())
    assert await restarted.load_last_agents(since) == 1  # c3 is older than the look-back
    assert await restarted.last_agent("48500100200", since) == from_db == "PJSIP/agent-bartek"
    assert await restarted.last_agent("48500100300", since) is None
    await answered(restarted, "c4", "48500100300", "PJSIP/agent-celina", T0 + timedelta(hours=2))
    assert await restarted.last_agent("48500100300", since) == "PJSIP/agent-celina"
    assert await restarted.last_agent("anonymous", since) is None
