"""Which calls a member of staff may name: ``cic.calls.access`` on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from cic.auth.actor import Actor
from cic.calls.access import check_may_name, handled_by
from cic.calls.errors import CallNotFound, CallNotYours
from cic.calls.models import Call, CallEvent, CallWrapup
from cic.db import Store

AT = datetime(2026, 12, 3, 9, tzinfo=UTC)
ANNA, BARTEK, EWA = "PJSIP/agent-anna", "PJSIP/agent-bartek", "PJSIP/agent-ewa"


def _calls(session: Session) -> None:
    session.add_all([
        Call(call_id="answered", agent=ANNA, outcome="answered"),
        Call(call_id="handed", agent=BARTEK, outcome="answered"),
        Call(call_id="wrapped", agent=None, outcome="answered"),
        Call(call_id="consulted", agent=BARTEK, outcome="answered"),
    ])  # fmt: skip
    session.flush()
    session.add_all([
        CallEvent(call_id="handed", at=AT, type="CallTransferred",
                  data={"kind": "attended", "from_agent": BARTEK, "to_agent": ANNA}),
        CallEvent(call_id="handed", at=AT, type="CallAnswered", data={"agent": EWA}),
        # a consult that was not completed: the colleague never had the resident
        CallEvent(call_id="consulted", at=AT, type="ConsultAnswered", data={"target": ANNA}),
        CallWrapup(call_id="wrapped", agent=ANNA, outcome="inne", saved_by="anna"),
    ])  # fmt: skip


@pytest.fixture
def store(db_url: str) -> Store:
    store = Store(db_url)
    store.migrate()
    store.run_sync(_calls)
    return store


def test_an_agent_handled_the_calls_they_answered_took_over_or_wrapped_up(store: Store) -> None:
    def who(session: Session) -> dict[str, list[str]]:
        ids = ("answered", "handed", "wrapped", "consulted", "missing")
        return {
            agent: [c for c in ids if handled_by(session, c, agent)]
            for agent in (ANNA, BARTEK, EWA, "")
        }

    assert store.run_sync(who) == {
        ANNA: ["answered", "handed", "wrapped"],
        BARTEK: ["handed", "consulted"],
        EWA: ["handed"],
        "": [],
    }


def test_agents_name_their_calls_officials_any_call_on_record(store: Store) -> None:
    anna = Actor("anna", "agent", ANNA)
    unlinked = Actor("nowa", "agent", None)
    specialist = Actor("ewa", "specialist", None)

    def check(actor: Actor, call_id: str) -> str:
        try:
            store.run_sync(lambda s: check_may_name(s, call_id, actor))
        except CallNotFound:
            return "404"
        except CallNotYours:
            return "403"
        return "ok"

    assert [check(anna, c) for c in ("answered", "consulted", "missing")] == ["ok", "403", "404"]
    assert check(unlinked, "answered") == "403"
    assert [check(specialist, c) for c in ("consulted", "missing")] == ["ok", "404"]
