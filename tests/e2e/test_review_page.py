"""The review page in headless Chromium: a supervisor finds a tagged call, plays it with the
transcript beside it, clicks a word to seek the audio, corrects the topics, and finds the call
again by searching the transcripts' text (inflected, without Polish letters)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session

from cic.auth import users
from cic.calls.models import Call, Recording
from cic.db import Store
from cic.recordings.models import CallTopic, CallTranscript
from cic.review.search import index_transcript
from tests.e2e.recordings import tone_recording
from tests.e2e.test_console import click, data, element, page_state, sign_in, wait_data
from tests.integration.harness import Harness

pytestmark = pytest.mark.e2e
USERNAME, PASSWORD = "przeglad-ola", "haslo-przegladu-123"
CALL_ID = "1796000000.77"
WORDS = [("chciałbym", 0.5, 1.0), ("zapytać", 1.0, 1.6), ("o", 1.6, 1.7), ("podatek", 4.2, 4.8)]


def _seed(h: Harness) -> None:
    """A recorded call (8 s of tone in the Asterisk instance's recordings), its transcript and
    an automatic topic, and a supervisor's account."""
    wav = tone_recording(h, CALL_ID, 8)
    at = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    segment = {"speaker": "resident", "start": 0.5, "end": 4.8, "text": "...",
               "words": [{"text": t, "start": s, "end": e, "confidence": 0.9}
                         for t, s, e in WORDS]}  # fmt: skip

    def write(session: Session) -> None:
        call = Call(call_id=CALL_ID, caller_number="48500100777", entered_at=at,
                    agent="PJSIP/agent-anna", outcome="answered", talk_seconds=8.0)  # fmt: skip
        session.add(call)
        session.flush()
        session.add(Recording(call_id=CALL_ID, path=str(wav), bytes=wav.stat().st_size,
                              duration_seconds=8.0, sha256="0" * 64, kind="call"))  # fmt: skip
        text = " ".join(t for t, _s, _e in WORDS)
        session.add(CallTranscript(call_id=CALL_ID, segments=[segment], text=text,
                                   findings={}))  # fmt: skip
        index_transcript(session, CALL_ID, text, [segment])  # as the pipeline does
        session.add(CallTopic(call_id=CALL_ID, topic_id="podatek-od-nieruchomosci",
                              source="auto", matched=["podatek"]))  # fmt: skip
        users.add(session, USERNAME, "Ola Przeglądająca", "supervisor", PASSWORD, now=at)

    store = Store(h.settings.db_url)
    try:
        store.run_sync(write)
    finally:
        store.engine.dispose()


def _december_topics(h: Harness) -> dict[str, int]:
    stats = h.api("GET", "/api/review/stats?period=month&from=2026-12-01&to=2026-12-31")
    return {s["topic"]: s["calls"] for s in stats}


def test_supervisor_plays_a_call_seeks_by_word_and_corrects_topics(
    e2e_harness: Harness, chromium_factory: Callable[[], Any]
) -> None:
    h = e2e_harness
    base = f"http://127.0.0.1:{h.settings.web_port}"
    _seed(h)
    page = chromium_factory()
    sign_in(page, base, USERNAME, PASSWORD, "/nadzor")
    before = _december_topics(h)
    page.get(f"{base}/przeglad")
    row = f'#review-calls tr[data-call="{CALL_ID}"]'
    click(page, f"{row} button")
    wait_data(page, "reviewOpen", CALL_ID, 15, "the call opened")
    Harness.wait_for(lambda: len(page.find_elements("css selector", ".word")) == len(WORDS), 15,
                     "the transcript's words", lambda: page_state(page))  # fmt: skip
    click(page, '.word[data-start="4.2"]')
    wait_data(page, "seekedTo", "4.2", 5)
    position = "return document.getElementById('review-audio').currentTime"
    Harness.wait_for(lambda: float(page.execute_script(position)) >= 4.2, 15,
                     "the audio at the clicked word", lambda: page_state(page))  # fmt: skip
    # Correct the topic: it was about waste, not property tax.
    click(page, '#review-topics input[value="podatek-od-nieruchomosci"]')
    click(page, '#review-topics input[value="oplata-za-odpady"]')
    click(page, "#review-topics button[type=submit]")
    wait_data(page, "topicsSaved", CALL_ID, 10, "the topics saved")
    tags = h.api("GET", f"/api/calls/{CALL_ID}/transcript")["topics"]
    assert {(t["topic_id"], t["source"]) for t in tags} == {
        ("podatek-od-nieruchomosci", "auto"), ("oplata-za-odpady", "supervisor"),
    }  # fmt: skip
    # The month's statistics move this call from property tax to waste (other browser tests
    # may have calls of their own in the month: compare with the counts before).
    after = _december_topics(h)
    assert after.get("oplata-za-odpady", 0) == before.get("oplata-za-odpady", 0) + 1
    assert after.get("podatek-od-nieruchomosci", 0) == before["podatek-od-nieruchomosci"] - 1
    assert data(page, "reviewCalls") != "0"

    # Search the text: "zapytac o podatku" (no Polish letters, another case) finds the call;
    # the hit opens it at the first matching word.
    page.get(f"{base}/przeglad")
    element(page, "#review-search input[name=q]").send_keys("zapytac podatku")
    click(page, "#review-search button[type=submit]")
    wait_data(page, "searchHits", "1", 15, "one call found")
    assert "Znalezione rozmowy: 1." in element(page, "#review-search-status").text
    assert not element(page, "#review-search-more").is_displayed()  # one page is all
    hit = f'#review-search-hits li[data-call="{CALL_ID}"]'
    assert "podatek" in element(page, f"{hit} mark").text + element(page, hit).text
    click(page, f"{hit} button")
    wait_data(page, "reviewOpen", CALL_ID, 15, "the found call opened")
    wait_data(page, "seekedTo", "1", 5, "at the first matching word (zapytać, 1.0 s)")
