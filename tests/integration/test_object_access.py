"""Per-object authorisation over HTTP against the real ``create_app`` (no Asterisk needed).

Two first-line agents (anna, bartek), a specialist, a supervisor and an admin, each in a
browser session of their own (sign-in form, CSRF token, Origin). Calls are on record as the
calls domain writes them (answered by one agent, taken over in an attended transfer, or
abandoned); reports and cases are made through the API by their owners. For every object
route (reports, cases, calls, recordings, transcripts, residents) each role is tried on objects
that are and are not theirs: allowed requests work, the others get 403 or 404, change nothing
(reports, links, metryka) and leave an ``access_refused`` entry in the audit log.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from sqlalchemy import select

from cic.agents.models import Agent
from cic.auth import users
from cic.auth.models import AuditEntry
from cic.calls.models import Call, CallEvent, Recording
from cic.cases.models import CaseAction, CaseCall, ContactReport, ContactReportCall
from cic.config import load_settings
from cic.db import Store
from cic.recordings.models import CallTranscript
from cic.web.app import SERVICES, create_app
from tests.integration.harness import free_port
from tests.unit.test_auth_support import T0

USERS = {  # username: (role, agent row or None)
    "anna": ("agent", "anna"),
    "bartek": ("agent", "bartek"),
    "spec": ("specialist", "spec"),
    "szef": ("supervisor", None),
    "admin": ("admin", None),
}
PASSWORD = "haslo-testowe-1234"
AUDIO = b"RIFF" + bytes(range(256)) * 16
AT = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


@dataclass
class Browser:
    """One signed-in member of staff: their own cookie jar and CSRF token."""

    server: TestServer
    http: aiohttp.ClientSession
    csrf: str = ""

    async def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        headers = {"Origin": str(self.server.make_url("")).rstrip("/"), "X-CSRF-Token": self.csrf}
        async with self.http.request(
            method, self.server.make_url(path), json=body, headers=headers, allow_redirects=False
        ) as response:
            kind = response.headers.get("Content-Type", "")
            data = await response.json() if kind.startswith("application/json") else None
            return response.status, data


@dataclass
class Office:
    """The running app, one browser per user, and the objects made for the test."""

    store: Store
    as_: dict[str, Browser]
    ids: dict[str, Any]


def _seed(db: Any, recordings: Path) -> None:
    for _role, agent in USERS.values():
        if agent:
            db.add(Agent(username=agent, display_name=agent, endpoint=f"agent-{agent}"))
    db.flush()
    for username, (role, agent) in USERS.items():
        users.add(db, username, username, role, PASSWORD, agent_username=agent, now=T0)
    calls = [  # call id, caller, agent who answered
        ("c-anna", "48600000001", "PJSIP/agent-anna"),
        ("c-bartek", "48600000002", "PJSIP/agent-bartek"),
        ("c-handed", "48600000003", "PJSIP/agent-bartek"),
        ("c-lost", "48600000004", None),
    ]
    for call_id, number, agent in calls:
        db.add(Call(call_id=call_id, caller_number=number, agent=agent, entered_at=AT,
                    outcome="answered" if agent else "abandoned"))  # fmt: skip
    db.flush()
    # bartek hands c-handed over to anna in an attended transfer: she takes it from there
    db.add(CallEvent(call_id="c-handed", at=AT, type="CallTransferred",
                     data={"kind": "attended", "from_agent": "PJSIP/agent-bartek",
                           "to_agent": "PJSIP/agent-anna"}))  # fmt: skip
    day = recordings / "2026" / "12" / "03"
    day.mkdir(parents=True)
    (day / "c-anna.wav").write_bytes(AUDIO)
    db.add(Recording(call_id="c-anna", path=str(day / "c-anna.wav"), bytes=len(AUDIO),
                     duration_seconds=1.0, sha256="0" * 64, kind="call"))  # fmt: skip
    db.add(CallTranscript(call_id="c-anna", segments=[], text="dzień dobry, w sprawie podatku"))


@pytest.fixture
async def office(tmp_path: Path) -> AsyncIterator[Office]:
    recordings = tmp_path / "recordings"
    settings = load_settings(
        environ={
            "CIC_STATE_DIR": str(tmp_path),
            "CIC_ASTERISK__AMI_PORT": str(free_port()),
            "CIC_ASTERISK__AGI_PORT": str(free_port()),
            "CIC_ASTERISK__INSTANCE": "object-access-test",
            "CIC_SPEECH__RECORDINGS_ROOT": str(recordings),
            "CIC_SPEECH__WORKERS": "0",
        }
    )
    application: web.Application = create_app(settings)
    server = TestServer(application, host="127.0.0.1")
    await server.start_server()
    store = application[SERVICES].store
    await store.run(lambda db: _seed(db, recordings))
    browsers: dict[str, Browser] = {}
    try:
        for username in USERS:
            jar = aiohttp.CookieJar(unsafe=True)
            browser = Browser(server, aiohttp.ClientSession(cookie_jar=jar))
            browsers[username] = browser
            status, _ = await browser.call(
                "POST", "/logowanie", {"username": username, "password": PASSWORD}
            )
            assert status == 200, username
            _, me = await browser.call("GET", "/api/auth/me")
            browser.csrf = me["csrf_token"]
        office = Office(store, browsers, {})
        await _make_reports_and_cases(office)
        yield office
    finally:
        for browser in browsers.values():
            await browser.http.close()
        await server.close()


async def _make_reports_and_cases(office: Office) -> None:
    """Each agent notes their own call; the specialist registers a case from each report."""
    for name in ("anna", "bartek"):
        status, report = await office.as_[name].call(
            "POST",
            "/api/zgloszenia",
            {
                "topic": f"Podatek ({name})",
                "call_id": f"c-{name}",
                "note": f"Notatka {name}: 48600000009",
            },
        )
        assert status == 201, report
        case = {"unit": "FN", "jrwa": "3110", "title": f"Raty ({name})",
                "parties": [{"name": f"Strona {name}", "role": "wnioskodawca",
                             "contact": f"tel. 60000000{len(name)}"}]}  # fmt: skip
        status, made = await office.as_["spec"].call(
            "POST", f"/api/zgloszenia/{report['id']}/sprawa", case
        )
        assert status == 201, made
        office.ids[f"report-{name}"] = report["id"]
        office.ids[f"case-{name}"] = made["signature"]


def _state(store: Store) -> dict[str, Any]:
    """Reports, their call links, case links and the metryka: what a refusal must not touch."""

    def read(db: Any) -> dict[str, Any]:
        def rows(model: Any, *columns: str) -> list[tuple[Any, ...]]:
            found = db.scalars(select(model).order_by(model.id))
            return [tuple(getattr(r, c) for c in columns) for r in found]

        return {
            "reports": rows(ContactReport, "id", "topic", "note", "status", "owner", "case_id"),
            "report_calls": rows(ContactReportCall, "report_id", "call_id"),
            "case_calls": rows(CaseCall, "case_id", "call_id"),
            "metryka": rows(CaseAction, "case_id", "action", "document_id"),
        }

    return store.run_sync(read)


def _refusals(store: Store) -> list[tuple[str, str, str]]:
    entries = store.run_sync(
        lambda db: [
            (e.actor, e.target, e.detail.get("error", ""))
            for e in db.scalars(
                select(AuditEntry)
                .where(
                    AuditEntry.action.in_(
                        ("access_refused", "recording_refused", "transcript_refused")
                    )
                )
                .order_by(AuditEntry.id)
            )
        ]
    )
    return entries


async def test_refused_requests_change_nothing_and_are_audited(office: Office) -> None:
    anna, bartek = office.as_["anna"], office.as_["bartek"]
    theirs, case_b = office.ids["report-bartek"], office.ids["case-bartek"]
    mine = office.ids["report-anna"]
    before = _state(office.store)
    refused = [
        # a report about a call anna never took, or a call not on record
        (anna, "POST", "/api/zgloszenia", {"topic": "x", "call_id": "c-bartek"}, 403),
        (anna, "POST", "/api/zgloszenia", {"topic": "x", "call_id": "c-lost"}, 403),
        (anna, "POST", "/api/zgloszenia", {"topic": "x", "call_id": "nie-ma-takiej"}, 404),
        # someone else's report: not readable, not changeable, no calls added to it
        (anna, "GET", f"/api/zgloszenia/{theirs}", None, 404),
        (anna, "PATCH", f"/api/zgloszenia/{theirs}", {"note": "cudza"}, 403),
        (anna, "POST", f"/api/zgloszenia/{theirs}/calls", {"call_id": "c-anna"}, 403),
        (anna, "POST", f"/api/zgloszenia/{theirs}/sprawa", {"signature": case_b}, 403),
        # her own report, but a call she did not take or that does not exist
        (anna, "POST", f"/api/zgloszenia/{mine}/calls", {"call_id": "c-bartek"}, 403),
        (anna, "POST", f"/api/zgloszenia/{mine}/calls", {"call_id": "widmo.1"}, 404),
        # her own report onto a case her caller does not have: as if it did not exist
        (anna, "POST", f"/api/zgloszenia/{mine}/sprawa", {"signature": case_b}, 404),
        # another agent's case, its metryka; changing any case
        (anna, "GET", f"/api/sprawy/{case_b}", None, 404),
        (anna, "GET", f"/api/sprawy/{case_b}/metryka", None, 404),
        (anna, "PATCH", f"/api/sprawy/{office.ids['case-anna']}", {"title": "zmiana"}, 403),
        (anna, "POST", f"/api/sprawy/{case_b}/calls", {"call_id": "c-anna"}, 403),
        # officials: only calls on record
        (office.as_["spec"], "POST", f"/api/sprawy/{case_b}/calls", {"call_id": "ghost"}, 404),
        (office.as_["szef"], "POST", f"/api/zgloszenia/{theirs}/calls", {"call_id": "x"}, 404),
        # call records, recordings and transcripts are for supervisors
        (anna, "GET", "/api/calls/c-anna", None, 403),
        (office.as_["spec"], "GET", "/api/calls/c-anna", None, 403),
        (anna, "GET", "/api/calls/c-anna/recording", None, 403),
        (anna, "GET", "/api/calls/c-anna/transcript", None, 403),
        (office.as_["spec"], "GET", "/api/calls/c-anna/recording", None, 403),
        # wrap-ups only of one's own calls; merging residents is a supervisor's
        (bartek, "POST", "/api/calls/c-anna/wrapup", {"outcome": "inne"}, 403),
        (anna, "POST", "/api/residents/1/merge", {"other": 2}, 403),
    ]
    for browser, method, path, body, expected in refused:
        status, answer = await browser.call(method, path, body)
        assert status == expected, (method, path, status, answer)
        assert answer is not None and answer["error"] and answer["message"], (path, answer)
    assert _state(office.store) == before
    audited = _refusals(office.store)
    by_anna = [target for actor, target, _ in audited if actor == "anna"]
    assert f"report:{theirs}" in by_anna and f"case:{case_b}" in by_anna
    assert "report:(nowe)" in by_anna  # the report about bartek's call
    assert "c-anna" in by_anna  # recording and transcript refusals name the call
    assert any(t.startswith("route:POST /api/residents/") for t in by_anna)
    assert ("bartek", "call:c-anna", "call_not_yours") in audited
    assert ("spec", "c-anna", "forbidden") in audited
    # a call that does not exist is no refusal: nothing to hide, nothing to audit
    assert all("nie-ma-takiej" not in t and "ghost" not in t for _, t, _ in audited)


async def test_allowed_requests_work_for_the_objects_that_are_theirs(office: Office) -> None:
    anna, bartek, spec = office.as_["anna"], office.as_["bartek"], office.as_["spec"]
    szef, admin = office.as_["szef"], office.as_["admin"]
    mine, case_a = office.ids["report-anna"], office.ids["case-anna"]
    # reports: her own; one about a call she took over; officials read any
    assert (await anna.call("GET", f"/api/zgloszenia/{mine}"))[0] == 200
    status, handed = await anna.call(
        "POST", "/api/zgloszenia", {"topic": "y", "call_id": "c-handed"}
    )
    assert status == 201 and handed["calls"] == ["c-handed"]
    status, listed = await anna.call("GET", "/api/zgloszenia")
    assert status == 200 and sorted(r["id"] for r in listed) == sorted([mine, handed["id"]])
    status, listed = await bartek.call("GET", "/api/zgloszenia")
    # bartek answered c-handed first: the report about it is one he may read
    assert sorted(r["id"] for r in listed) == sorted([office.ids["report-bartek"], handed["id"]])
    for official in (spec, szef, admin):
        assert (await official.call("GET", f"/api/zgloszenia/{mine}"))[0] == 200
    status, patched = await anna.call("PATCH", f"/api/zgloszenia/{mine}", {"note": "uzupełnione"})
    assert status == 200 and patched["note"] == "uzupełnione"
    status, linked = await anna.call(
        "POST", f"/api/zgloszenia/{mine}/calls", {"call_id": "c-handed"}
    )
    assert status == 200 and linked["calls"] == ["c-anna", "c-handed"]
    # cases: the one linked to her report, with its metryka (the new call is on it)
    status, case = await anna.call("GET", f"/api/sprawy/{case_a}")
    assert status == 200 and case["parties"][0]["name"] == "Strona anna"
    status, metryka = await anna.call("GET", f"/api/sprawy/{case_a}/metryka")
    assert status == 200 and "c-handed" in [m["document_id"] for m in metryka]
    status, linked = await spec.call("POST", f"/api/sprawy/{case_a}/calls", {"call_id": "c-lost"})
    assert status == 200 and "c-lost" in linked["calls"]
    # calls, recordings and transcripts for the supervisor and the admin
    for boss in (szef, admin):
        assert (await boss.call("GET", "/api/calls/c-anna"))[0] == 200
        status, transcript = await boss.call("GET", "/api/calls/c-anna/transcript")
        assert status == 200 and transcript["text"].startswith("dzień dobry")
        async with boss.http.get(boss.server.make_url("/api/calls/c-anna/recording")) as played:
            assert played.status == 200 and await played.read() == AUDIO
    # a wrap-up of her own call, and of the one she took over (under her own device)
    status, _ = await anna.call("POST", "/api/calls/c-anna/wrapup", {"outcome": "inne"})
    assert status == 201
    status, saved = await anna.call("POST", "/api/calls/c-handed/wrapup", {"outcome": "inne"})
    assert status == 201 and saved["agent"] == "PJSIP/agent-anna"
    # residents are every staff member's: anyone records one, a supervisor merges
    status, one = await anna.call("POST", "/api/residents", {"name": "Jan Testowy"})
    status2, two = await bartek.call("POST", "/api/residents", {"name": "Jan Testowy (2)"})
    assert (status, status2) == (201, 201)
    assert (await bartek.call("GET", f"/api/residents/{one['id']}"))[0] == 200
    status, merged = await szef.call("POST", f"/api/residents/{one['id']}/merge",
                                     {"other": two["id"]})  # fmt: skip
    assert status == 200 and merged["id"] == one["id"]
    played = store_actions(office.store, "recording_played", "transcript_read")
    assert sorted(played) == sorted(
        [("szef", "recording_played"), ("admin", "recording_played"),
         ("szef", "transcript_read"), ("admin", "transcript_read")]
    )  # fmt: skip
    assert _refusals(office.store) == []


def store_actions(store: Store, *actions: str) -> list[tuple[str, str]]:
    """(actor, action) of the audit entries with these actions."""
    return store.run_sync(
        lambda db: [
            (e.actor, e.action)
            for e in db.scalars(select(AuditEntry).where(AuditEntry.action.in_(actions)))
        ]
    )
