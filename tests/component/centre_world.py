"""Hand-made calls, transfers, callbacks and contacts whose dashboard figures are known
exactly (December 2026 against November 2026, office zone Europe/Warsaw, UTC+1)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from cic.agents.models import Agent, AgentPresenceLog, Queue, QueueMembership
from cic.callbacks.models import CallbackRequest
from cic.calls.models import Call, CallWrapup
from cic.cases.models import ContactReport, ContactReportCall
from cic.departments.models import Department
from cic.recordings.models import CallTopic
from cic.residents.models import Resident, ResidentEmail, ResidentNumber
from cic.transfers.models import Transfer

WARSAW = ZoneInfo("Europe/Warsaw")
FIRST = "pierwsza-linia"


def local(text: str) -> datetime:
    """A local time of the office ("2026-12-01 09:10") as an aware UTC instant."""
    return datetime.fromisoformat(text).replace(tzinfo=WARSAW).astimezone(UTC)


def _call(
    call_id: str, entered: str, queue: str | None, agent: str | None, outcome: str,
    wait: float | None = None, talk: float | None = None, number: str = "",
) -> Call:  # fmt: skip
    at = local(entered)
    queued = at + timedelta(seconds=2) if queue else None
    answered = None
    if outcome == "answered":
        answered = (queued or at) + timedelta(seconds=wait or 0)
    return Call(
        call_id=call_id, caller_number=number, caller_name="", dialled="1000", entered_at=at,
        queued_at=queued, answered_at=answered, queue=queue,
        agent=f"PJSIP/agent-{agent}" if agent else None, outcome=outcome,
        wait_seconds=wait, talk_seconds=talk,
    )  # fmt: skip


def _directory(session: Session) -> None:
    fn, org = (
        Department(code="FN", name="Wydział Finansowy"),
        Department(code="OR", name="Wydział Organizacyjny"),
    )
    session.add_all([fn, org])
    session.flush()
    first = Queue(name=FIRST, title="Pierwsza linia")
    taxes = Queue(name="podatki", title="Podatki", department_id=fn.id)
    anna = Agent(
        username="anna", display_name="Anna Testowa", endpoint="agent-anna", department_id=org.id
    )
    bartek = Agent(
        username="bartek",
        display_name="Bartek Próbny",
        endpoint="agent-bartek",
        department_id=fn.id,
    )
    celina = Agent(username="celina", display_name="Celina Wzorcowa", endpoint="agent-celina")
    session.add_all([first, taxes, anna, bartek, celina])
    session.flush()
    session.add_all([
        QueueMembership(queue_id=first.id, agent_id=anna.id),
        QueueMembership(queue_id=first.id, agent_id=bartek.id),
        QueueMembership(queue_id=taxes.id, agent_id=celina.id),
        # logins: anna 08:30-10:00 on Tue 1 Dec; bartek from Mon 30 Nov 20:00 to 09:30 on
        # 1 Dec and again from 09:00 on Tue 8 Dec (still logged in); celina is not on the
        # first line
        AgentPresenceLog(agent_id=anna.id, at=local("2026-12-01 08:30"), logged_in=True),
        AgentPresenceLog(agent_id=anna.id, at=local("2026-12-01 10:00"), logged_in=False),
        AgentPresenceLog(agent_id=bartek.id, at=local("2026-11-30 20:00"), logged_in=True),
        AgentPresenceLog(agent_id=bartek.id, at=local("2026-12-01 09:30"), logged_in=False),
        AgentPresenceLog(agent_id=bartek.id, at=local("2026-12-08 09:00"), logged_in=True),
        AgentPresenceLog(agent_id=celina.id, at=local("2026-12-01 09:00"), logged_in=True),
        AgentPresenceLog(agent_id=celina.id, at=local("2026-12-01 12:00"), logged_in=False),
    ])  # fmt: skip


def _calls(session: Session) -> None:
    session.add_all([
        _call("c1", "2026-12-01 09:10", FIRST, "anna", "answered", 10, 100, "48500100201"),
        _call("c2", "2026-12-01 09:40", FIRST, "anna", "answered", 30, 200, "48500100202"),
        _call("c3", "2026-12-02 10:05", FIRST, "bartek", "answered", 5, 300, "48500100203"),
        _call("c4", "2026-12-02 10:20", "podatki", "celina", "answered", 15, 60, "48500100204"),
        _call("c5", "2026-12-01 09:15", FIRST, None, "abandoned", 3, None, "48500100205"),
        _call("c6", "2026-12-08 09:30", FIRST, None, "abandoned", 40, None, "48500100206"),
        _call("c7", "2026-12-08 09:50", FIRST, None, "callback", 50, None, "48500100207"),
        # entered a minute before the new year, answered after midnight: December's
        _call("c8", "2026-12-31 23:59:30", FIRST, "bartek", "answered", 41, 100, "48500100208"),
        # entered on the last minute of November, answered on 1 December: November's
        _call("c9", "2026-11-30 23:59:50", FIRST, "anna", "answered", 20, 50, "48500100209"),
        _call("c10", "2026-12-03 11:00", None, "celina", "answered", None, 90, "anonymous"),
        _call("c11", "2026-12-31 12:00", FIRST, None, "in_progress", None, None, "600100211"),
        # ten seconds into the new year (still 31 December in UTC): January's
        _call("c12", "2027-01-01 00:00:10", FIRST, "anna", "answered", 5, 10, "48500100208"),
    ])  # fmt: skip
    session.flush()
    session.add_all(
        [
            CallWrapup(
                call_id="c1",
                agent="PJSIP/agent-anna",
                outcome="inne",
                topic="podatki",
                saved_by="anna",
            ),
            CallWrapup(
                call_id="c8",
                agent="PJSIP/agent-bartek",
                outcome="inne",
                topic=" podatki ",
                saved_by="bartek",
            ),
            CallWrapup(
                call_id="c10",
                agent="PJSIP/agent-celina",
                outcome="inne",
                topic="woda",
                saved_by="celina",
            ),
            CallWrapup(
                call_id="c4",
                agent="PJSIP/agent-celina",
                outcome="inne",
                topic="",
                saved_by="celina",
            ),
            CallWrapup(
                call_id="c12",
                agent="PJSIP/agent-anna",
                outcome="inne",
                topic="podatki",
                saved_by="anna",
            ),
            CallTopic(call_id="c8", topic_id="podatki", source="wrapup", matched=[]),
            CallTopic(call_id="c2", topic_id="odpady", source="auto", matched=[]),
            CallTopic(call_id="c2", topic_id="woda", source="supervisor", matched=[]),
            CallTopic(call_id="c3", topic_id="odpady", source="auto", matched=[]),
            CallTopic(call_id="c9", topic_id="odpady", source="auto", matched=[]),
            Transfer(
                call_id="c3", kind="attended", state="completed", target_kind="agent", target="anna"
            ),
            Transfer(
                call_id="c4", kind="blind", state="failed", target_kind="queue", target="podatki"
            ),
            Transfer(
                call_id="c1",
                kind="attended",
                state="returned",
                target_kind="agent",
                target="bartek",
            ),
        ]
    )


def _callbacks(session: Session) -> None:
    rows = [
        ("r1", FIRST, "done", "2026-12-02 09:00"),
        ("r2", FIRST, "failed", "2026-12-02 09:05"),
        ("r3", FIRST, "cancelled", "2026-12-03 09:00"),
        ("r4", FIRST, "waiting", "2026-12-31 10:00"),
        ("r5", "podatki", "done", "2026-12-04 12:00"),
        ("r6", FIRST, "done", "2026-11-30 23:30"),  # November
        ("r7", FIRST, "failed", "2026-12-01 00:10"),  # still 30 November in UTC: December
    ]
    session.add_all(
        CallbackRequest(call_id=call_id, number="600100200", queue=queue, status=status,
                        requested_at=local(at))
        for call_id, queue, status, at in rows
    )  # fmt: skip


def _contacts(session: Session) -> None:
    jan, ewa = Resident(name="Jan Testowy"), Resident(name="Ewa Przykładowa")
    session.add_all([jan, ewa])
    session.flush()
    session.add_all([
        ResidentNumber(resident_id=jan.id, number="+48500100201"),
        ResidentEmail(resident_id=jan.id, address="jan.testowy@example.pl"),
        ResidentNumber(resident_id=ewa.id, number="+48500100203"),
    ])  # fmt: skip
    reports = {
        # Jan writes about the same tax four days after his call c1: c1 was repeated
        "e1": ContactReport(topic="Podatki", channel="email", contact="Jan.Testowy@Example.PL",
                            created_by="system", created_at=local("2026-12-05 08:00")),
        # the water matter of c2 comes back by web form after 8 days: outside the 7 days
        "w1": ContactReport(topic="woda", channel="www", contact="600100202",
                            created_by="system", created_at=local("2026-12-09 09:41")),
        # Ewa (the owner of c3's number) comes in person about the same waste matter
        "p1": ContactReport(topic="odpady", channel="osobiscie", resident_id=ewa.id,
                            created_by="anna", created_at=local("2026-12-04 10:00")),
        # written during c1: the same contact, not a repeat
        "t1": ContactReport(topic="podatki", channel="telefon", contact="48500100201",
                            created_by="anna", created_at=local("2026-12-01 09:12")),
    }  # fmt: skip
    session.add_all(reports.values())
    session.flush()
    session.add(ContactReportCall(report_id=reports["t1"].id, call_id="c1", linked_by="anna"))


def build(session: Session) -> None:
    """Everything the dashboard's contact-centre tests count."""
    _directory(session)
    _calls(session)
    _callbacks(session)
    _contacts(session)
