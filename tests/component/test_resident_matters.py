"""A resident's open matters for a message they wrote: the cases linked to a call from any of
their numbers and the cases their reports joined (not closed ones, not a stranger's); an
agent who took the resident's e-mail joins it to one of those, never to another case.
SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date

import pytest
from sqlalchemy.orm import Session

from cic.calls.models import Call
from cic.cases.errors import CaseNotFound
from cic.cases.models import ContactReport
from cic.cases.owners import resident_open_matters
from cic.cases.service import Actor, CaseService
from cic.db import Store
from cic.residents.models import Resident, ResidentEmail, ResidentNumber

AGENT = Actor("konsultant1", "agent", "PJSIP/agent-konsultant1")
OFFICIAL = Actor("ewa.urzednik", "specialist")
ADDRESS = "jan.testowy@mieszkaniec.test"


@pytest.fixture
async def cases(db_url: str) -> AsyncIterator[CaseService]:
    store = Store(db_url)
    store.migrate()
    yield CaseService(store, today=lambda: date(2026, 12, 3))
    await store.close()


def _resident(session: Session, name: str, number: str, address: str = "") -> int:
    resident = Resident(name=name)
    session.add(resident)
    session.flush()
    session.add(ResidentNumber(resident_id=resident.id, number=number))
    if address:
        session.add(ResidentEmail(resident_id=resident.id, address=address))
    return resident.id


def _email_report(session: Session, resident_id: int | None, owner: str) -> int:
    report = ContactReport(
        topic="Pytanie o raty", note="", department="", status="w_toku", owner=owner,
        created_by="email", channel="email", contact=ADDRESS, resident_id=resident_id,
    )  # fmt: skip
    session.add(report)
    session.flush()
    return report.id


async def _case_of_call(cases: CaseService, call_id: str, number: str, title: str) -> str:
    """A case registered from a report of a call from ``number``; its signature."""
    call = Call(call_id=call_id, caller_number=number, outcome="answered", agent=AGENT.interface)
    cases.store.run_sync(lambda s: s.add(call))
    report = await cases.create_report({"topic": title, "call_id": call_id}, AGENT)
    body = {"unit": "FN", "jrwa": "3110", "title": title}
    return str((await cases.register(body, OFFICIAL, report_id=report["id"]))["signature"])


async def test_resident_matters_count_calls_and_reports_and_the_agent_joins_only_those(
    cases: CaseService,
) -> None:
    store = cases.store
    jan = store.run_sync(lambda s: _resident(s, "Jan Testowy", "+48600100200", ADDRESS))
    store.run_sync(lambda s: _resident(s, "Obcy Testowy", "+48600999888"))
    # Jan's case through a call (his number spelt as the trunk sends it), one through a
    # report of his, a closed one, and a stranger's.
    by_call = await _case_of_call(cases, "c-jan", "48600100200", "Raty podatku")
    closed = await _case_of_call(cases, "c-jan-2", "600100200", "Zamknięta sprawa")
    await cases.update_case(closed, {"status": "zakonczona"}, OFFICIAL)
    stranger = await _case_of_call(cases, "c-obcy", "48600999888", "Sprawa obcego")
    visit = store.run_sync(lambda s: _email_report(s, jan, OFFICIAL.username))
    road = {"unit": "GK", "jrwa": "7021", "title": "Droga gminna"}
    by_report = str((await cases.register(road, OFFICIAL, report_id=visit))["signature"])

    matters = store.run_sync(lambda s: resident_open_matters(s, jan))
    assert sorted(m["signature"] for m in matters) == sorted([by_call, by_report])
    assert {m["status_label"] for m in matters} == {"wszczęta"}
    assert store.run_sync(lambda s: resident_open_matters(s, jan + 1000)) == []

    # The agent took Jan's e-mail: one of his cases yes, a stranger's "not found", a closed
    # one of his too (only open matters are offered).
    mail = store.run_sync(lambda s: _email_report(s, jan, AGENT.username))
    with pytest.raises(CaseNotFound):
        await cases.link_report_to_case(mail, stranger, AGENT)
    with pytest.raises(CaseNotFound):
        await cases.link_report_to_case(mail, closed, AGENT)
    linked = await cases.link_report_to_case(mail, by_call, AGENT)
    assert mail in linked["reports"]
    # A message from an address on no record has no resident: no case for an agent.
    unknown = store.run_sync(lambda s: _email_report(s, None, AGENT.username))
    with pytest.raises(CaseNotFound):
        await cases.link_report_to_case(unknown, by_call, AGENT)
