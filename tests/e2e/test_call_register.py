"""The call register in headless Chromium: a supervisor filters the calls, opens a recorded one
(player with its source, transcript), a transferred one (legs and timeline in Polish) and one
linked to a case; every page shows Polish dates and no English outcome word, and axe finds
nothing at 1280 and 360 px. The review page's list is checked for English outcomes too."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from cic.auth import users
from cic.calls.models import Call, CallEvent, Recording
from cic.cases.models import Case, CaseCall
from cic.db import Store
from cic.recordings.models import CallTopic, CallTranscript
from cic.review.search import index_transcript
from tests.e2e.axe import axe_violations
from tests.e2e.recordings import tone_recording
from tests.e2e.test_console import click, element, page_state, sign_in
from tests.integration.harness import Harness

pytestmark = pytest.mark.e2e
USERNAME, PASSWORD = "rejestr-ewa", "haslo-rejestru-123"
RECORDED, TRANSFERRED, WITH_CASE = "1796100000.11", "1796100000.22", "1796100000.33"
AT = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
TEXT = "Dzień dobry, pytam o podatek od nieruchomości."
#: Outcome codes that must never be visible text on a Polish page.
ENGLISH = re.compile(r"\b(answered|abandoned|unanswered|lost|in_progress|callback|message)\b", re.I)
PL_DATE = re.compile(r"\d{2}\.\d{2}\.\d{4}")


def _seed(h: Harness) -> None:
    """Three calls: recorded with a transcript, transferred (attended), linked to a case."""
    wav = tone_recording(h, RECORDED, 3, "2026/12/02")
    segment = {"speaker": "resident", "start": 0.2, "end": 2.5, "text": TEXT, "words": []}

    def event(call_id: str, seconds: int, type_: str, **data: Any) -> CallEvent:
        return CallEvent(call_id=call_id, at=AT + timedelta(seconds=seconds), type=type_, data=data)

    def write(session: Session) -> None:
        session.add_all([
            Call(call_id=RECORDED, caller_number="48500100201", caller_name="Ewa Próbna",
                 entered_at=AT, queue="pierwsza-linia", agent="PJSIP/agent-anna",
                 outcome="answered", wait_seconds=8.0, talk_seconds=3.0, recording_consent="given"),
            Call(call_id=TRANSFERRED, caller_number="48500100202",
                 entered_at=AT + timedelta(hours=1), queue="pierwsza-linia",
                 agent="PJSIP/agent-anna", outcome="answered", wait_seconds=4.0,
                 talk_seconds=200.0),
            Call(call_id=WITH_CASE, caller_number="anonymous", entered_at=AT + timedelta(hours=2),
                 queue="finanse", outcome="abandoned", wait_seconds=45.0),
        ])  # fmt: skip
        session.flush()
        session.add(Recording(call_id=RECORDED, path=str(wav), bytes=wav.stat().st_size,
                              duration_seconds=3.0, sha256="0" * 64, kind="call"))  # fmt: skip
        session.add(CallTranscript(call_id=RECORDED, segments=[segment], text=TEXT, findings={}))
        index_transcript(session, RECORDED, TEXT, [segment])
        session.add(CallTopic(call_id=RECORDED, topic_id="podatek-od-nieruchomosci",
                              source="auto", matched=["podatek"]))  # fmt: skip
        session.add_all([
            event(TRANSFERRED, 3600, "CallEntered", caller_number="48500100202", caller_name="",
                  dialled="100"),
            event(TRANSFERRED, 3601, "CallQueued", queue="pierwsza-linia", position=1),
            event(TRANSFERRED, 3605, "CallAnswered", queue="pierwsza-linia",
                  agent="PJSIP/agent-anna", wait_seconds=4.0),
            event(TRANSFERRED, 3700, "CallTransferred", kind="attended",
                  from_agent="PJSIP/agent-anna", to_agent="PJSIP/agent-bogdan", target=""),
            event(TRANSFERRED, 3805, "CallEnded", cause="Normal Clearing", talk_seconds=200.0),
        ])  # fmt: skip
        case = Case(signature="FN.3110.41.2026", unit="FN", jrwa="3110", year=2026, number=41,
                    title="Ulga w podatku rolnym", started_on=date(2026, 12, 2),
                    deadline_kind="miesiac", pin_hash="-", registered_by="spec")  # fmt: skip
        session.add(case)
        session.flush()
        session.add(CaseCall(case_id=case.id, call_id=WITH_CASE, linked_by="spec"))
        users.add(session, USERNAME, "Ewa Rejestrowa", "supervisor", PASSWORD, now=AT)

    store = Store(h.settings.db_url)
    try:
        store.run_sync(write)
    finally:
        store.engine.dispose()


def _visible(page: Any) -> str:
    return str(page.execute_script("return document.querySelector('main').innerText"))


def _check(page: Any, what: str) -> None:
    """Polish dates, no English outcome word, no axe violations at 1280 and at 360 px."""
    text = _visible(page)
    assert PL_DATE.search(text), f"{what}: no DD.MM.RRRR date"
    assert not ENGLISH.search(text), f"{what}: {ENGLISH.search(text)}"
    assert axe_violations(page) == [], what
    page.set_window_size(360, 740)
    try:
        assert axe_violations(page) == [], f"{what} at 360 px"
    finally:
        page.set_window_size(1280, 900)


def test_supervisor_filters_and_opens_calls_in_polish(
    e2e_harness: Harness, chromium_factory: Callable[[], Any]
) -> None:
    h = e2e_harness
    base = f"http://127.0.0.1:{h.settings.web_port}"
    _seed(h)
    page = chromium_factory()
    page.set_window_size(1280, 900)
    sign_in(page, base, USERNAME, PASSWORD, "/nadzor")
    assert element(page, 'header nav a[href="/polaczenia"]').text == "Rejestr połączeń"
    page.get(f"{base}/polaczenia?od=2026-12-02&do=2026-12-02")
    rows = page.find_elements("css selector", "#register-calls tbody tr")
    assert [r.get_attribute("data-call") for r in rows] == [WITH_CASE, TRANSFERRED, RECORDED]
    assert "porzucone" in rows[0].text and "odebrane" in rows[1].text
    _check(page, "the register")

    # Filter by the form: recorded calls only.
    click(page, 'input[name="nagranie"]')
    click(page, "form.filters button[type=submit]")
    Harness.wait_for(lambda: "nagranie=tak" in page.current_url, 10, "the filtered list",
                     lambda: page_state(page))  # fmt: skip
    rows = page.find_elements("css selector", "#register-calls tbody tr")
    assert [r.get_attribute("data-call") for r in rows] == [RECORDED]

    # The recorded call: player with its source (through the audited endpoint), transcript.
    click(page, f'#register-calls tr[data-call="{RECORDED}"] a')
    Harness.wait_for(lambda: page.current_url.endswith(f"/polaczenia/{RECORDED}"), 10,
                     "the recorded call opened", lambda: page_state(page))  # fmt: skip
    audio = element(page, "#call-audio")
    assert audio.get_attribute("src").endswith(f"/api/calls/{RECORDED}/recording")
    assert "podatek od nieruchomości" in element(page, "#call-transcript").text
    _check(page, "the recorded call")

    # The transferred call: legs and timeline in Polish.
    page.get(f"{base}/polaczenia/{TRANSFERRED}")
    legs = element(page, "#call-legs").text
    assert "przekazane z zapowiedzią" in legs and "bogdan" in legs
    timeline = element(page, "#call-timeline").text
    assert "w kolejce" in timeline and "02.12.2026 11:01:40" in timeline
    _check(page, "the transferred call")

    # The call linked to a case.
    page.get(f"{base}/polaczenia/{WITH_CASE}")
    assert "FN.3110.41.2026" in element(page, "#call-links").text
    _check(page, "the call with a case")

    # The review page lists calls with Polish outcomes and dates too.
    page.get(f"{base}/przeglad")
    Harness.wait_for(lambda: page.find_elements("css selector", "#review-calls tbody tr"), 15,
                     "the review list", lambda: page_state(page))  # fmt: skip
    review = element(page, "#review-calls").text
    assert PL_DATE.search(review) and not ENGLISH.search(review)
    # Nor do the wallboard, the status page or the cases page.
    for path in ("/nadzor", "/", "/sprawy"):
        page.get(f"{base}{path}")
        Harness.wait_for(lambda: page.execute_script("return document.readyState") == "complete",
                         10, path, lambda: page_state(page))  # fmt: skip
        found = ENGLISH.search(_visible(page))
        assert found is None, f"{path}: {found}"
