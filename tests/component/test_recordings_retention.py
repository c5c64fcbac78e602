"""Retention: audio and transcripts past ``retention_days`` go, a held call stays; plus
supervisors' topic corrections (each one kept, and learned from). SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update

from cic.calls.models import Call, Recording
from cic.config import SpeechSettings
from cic.db import Store, migrate
from cic.postcall.build import make_pipeline
from cic.postcall.learning import learned_tagger
from cic.postcall.pipeline import Pipeline
from cic.recordings.models import CallTopic, CallTranscript, RecordingChannel, TopicCorrection
from cic.recordings.service import RecordingsService, Viewer
from cic.topics.tagger import Tagger
from cic.topics.taxonomy import load_taxonomy
from tests.component.test_recordings_jobs import ScriptedEngine
from tests.unit.test_topics import OTHER, SENIOR_VOUCHER

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
SUPERVISOR = Viewer("kierownik", "supervisor", ip="127.0.0.1")
TAGGER = Tagger(load_taxonomy())


@pytest.fixture
def store(db_url: str) -> Store:
    migrate(db_url)
    return Store(db_url)


def _call(store: Store, root: Path, call_id: str, age_days: int) -> list[Path]:
    ended = NOW - timedelta(days=age_days)
    day = root / ended.strftime("%Y/%m/%d")
    day.mkdir(parents=True, exist_ok=True)
    files = [day / f"{call_id}{suffix}.wav" for suffix in ("", "-resident", "-agent")]
    for file in files:
        file.write_bytes(b"RIFF" + bytes(100))

    def work(session: Any) -> None:
        session.add(Call(call_id=call_id, ended_at=ended, outcome="answered"))
        session.flush()
        session.add(
            Recording(
                call_id=call_id, path=str(files[0]), bytes=104, duration_seconds=1.0,
                sha256="0" * 64, kind="call",
            )
        )  # fmt: skip
        session.add(
            RecordingChannel(
                call_id=call_id, speaker="resident", path=str(files[1]), bytes=104,
                duration_seconds=1.0, sha256="0" * 64,
            )
        )  # fmt: skip
        session.add(CallTranscript(call_id=call_id, segments=[], text="podatek", findings={}))
        session.add(CallTopic(call_id=call_id, topic_id="meldunek", source="auto", matched=[]))

    store.run_sync(work)
    return files


def _left(store: Store, model: Any, call_id: str) -> int:
    stmt = select(func.count()).select_from(model).where(model.call_id == call_id)
    return int(store.run_sync(lambda s: s.scalar(stmt)) or 0)


async def test_retention_deletes_past_due_audio_and_transcripts_but_keeps_held_calls(
    store: Store, tmp_path: Path
) -> None:
    root = tmp_path / "recordings"
    service = RecordingsService(store, root, retention_days=90)
    old = _call(store, root, "1756000000.1", age_days=120)
    held = _call(store, root, "1756000000.2", age_days=200)
    recent = _call(store, root, "1764000000.3", age_days=30)
    await service.set_hold("1756000000.2", True, "skarga do sądu", SUPERVISOR)

    report = await service.run_retention(NOW)
    assert (report.calls, report.files, report.transcripts) == (1, 3, 1)
    assert not any(f.exists() for f in old)
    assert all(f.exists() for f in held + recent)
    assert _left(store, CallTranscript, "1756000000.1") == 0
    assert _left(store, Recording, "1756000000.1") == 0
    assert _left(store, RecordingChannel, "1756000000.1") == 0
    assert _left(store, Call, "1756000000.1") == 1  # the call record stays for statistics
    for kept in ("1756000000.2", "1764000000.3"):
        assert _left(store, CallTranscript, kept) == 1 and _left(store, Recording, kept) == 1

    await service.set_hold("1756000000.2", False, "", SUPERVISOR)
    again = await service.run_retention(NOW)
    assert (again.calls, again.files) == (1, 3)
    assert not any(f.exists() for f in held)
    assert all(f.exists() for f in recent)


async def test_retention_never_deletes_outside_the_root(store: Store, tmp_path: Path) -> None:
    root = tmp_path / "recordings"
    elsewhere = _call(store, tmp_path / "elsewhere", "1756000000.5", age_days=400)
    root.mkdir()
    service = RecordingsService(store, root, retention_days=90)
    report = await service.run_retention(NOW)
    assert (report.calls, report.files) == (1, 0)
    assert all(f.exists() for f in elsewhere)


async def test_every_correction_is_kept_and_feeds_the_learning_data(
    store: Store, tmp_path: Path
) -> None:
    service = RecordingsService(store, tmp_path)
    _call(store, tmp_path, "1764000000.4", age_days=1)
    first = await service.correct_topics("1764000000.4", ["wycinka-drzew"], SUPERVISOR)
    second = await service.correct_topics("1764000000.4", ["wycinka-drzew", "meldunek"], SUPERVISOR)
    assert [(t["topic_id"], t["source"]) for t in first if t["source"] == "supervisor"] == [
        ("wycinka-drzew", "supervisor")
    ]
    assert sorted(t["topic_id"] for t in second if t["source"] == "supervisor") == [
        "meldunek",
        "wycinka-drzew",
    ]
    assert any(t["source"] == "auto" for t in second)  # automatic tags stay beside them
    history = store.run_sync(
        lambda s: [c.as_dict() for c in s.scalars(select(TopicCorrection).order_by("id"))]
    )
    assert [(h["before"], h["after"]) for h in history] == [
        (["meldunek"], ["wycinka-drzew"]),
        (["wycinka-drzew"], ["meldunek", "wycinka-drzew"]),
    ]
    assert await service.corrections() == [("podatek", frozenset({"meldunek", "wycinka-drzew"}))]


async def _teach(store: Store, tmp_path: Path) -> None:
    """Supervisors correct calls about the senior voucher to social assistance (and others)."""
    service = RecordingsService(store, tmp_path)
    examples = [(text, ["pomoc-spoleczna"]) for text in SENIOR_VOUCHER]
    examples += [(text, sorted(topics)) for text, topics in OTHER]
    for n, (text, topics) in enumerate(examples):
        call_id = f"1764000100.{n}"
        _call(store, tmp_path, call_id, age_days=1)
        store.run_sync(
            lambda s, c=call_id, t=text: s.execute(
                update(CallTranscript).where(CallTranscript.call_id == c).values(text=t)
            )
        )
        await service.correct_topics(call_id, topics, SUPERVISOR)


QUESTION = "dzień dobry, pytam o bon senioralny dla sąsiadki"


async def test_stored_corrections_teach_the_tagger(store: Store, tmp_path: Path) -> None:
    await _teach(store, tmp_path)
    rules_only = learned_tagger(None, TAGGER)
    learned = learned_tagger(store, TAGGER)
    assert "pomoc-spoleczna" not in {s.topic_id for s in rules_only.tag(QUESTION)}
    assert learned.model is not None
    assert "pomoc-spoleczna" in {s.topic_id for s in learned.tag(QUESTION)}


async def test_the_pipeline_trains_again_once_corrections_change(
    store: Store, tmp_path: Path
) -> None:
    pipeline = make_pipeline(SpeechSettings(), store)
    before = pipeline.tagger()
    assert before.model is None and pipeline.tagger() is before  # nothing new: no training
    await _teach(store, tmp_path)
    after = pipeline.tagger()
    assert after is not before and after.model is not None
    assert "pomoc-spoleczna" in {s.topic_id for s in after.tag(QUESTION)}
    assert pipeline.tagger() is after


def test_the_pipeline_keeps_its_tagger_when_the_version_cannot_be_read() -> None:
    built: list[Tagger] = []

    def tagger() -> Tagger:
        built.append(TAGGER)
        return TAGGER

    def unreadable() -> object:
        raise ConnectionError("store down")

    pipeline = Pipeline(ScriptedEngine, tagger, tagger_version=unreadable)
    assert pipeline.tagger() is TAGGER and pipeline.tagger() is TAGGER
    assert len(built) == 1
