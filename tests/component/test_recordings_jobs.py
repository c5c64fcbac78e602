"""The post-call job queue on the store: idempotence, back-off then failed, leases, two workers.

The speech engine here is a stand-in (these are tests of the queue, not of recognition);
redaction and tagging are the real ones. Runs on SQLite and PostgreSQL (``db_url``).
"""

from __future__ import annotations

import asyncio
import wave
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from cic.auth.models import AuditEntry
from cic.db import Store, migrate, utcnow
from cic.postcall import jobs
from cic.postcall.models import PostCallJob
from cic.postcall.pipeline import Pipeline
from cic.postcall.queue import RedisQueue, StoreQueue
from cic.postcall.service import PostCallService
from cic.postcall.worker import Worker, WorkerSettings
from cic.recordings.models import CallTopic, CallTranscript
from cic.recordings.service import RecordingsService, Viewer
from cic.speech.models import Word
from cic.speech.stt import AudioError, Recognition
from cic.topics.tagger import Tagger
from cic.topics.taxonomy import load_taxonomy

# A made-up resident: the PESEL is the textbook example with a valid check digit.
SAID = "dzień dobry chciałbym zapytać o podatek od nieruchomości mój pesel 44051401359"
TAGGER = Tagger(load_taxonomy())
SUPERVISOR = Viewer("kierownik", "supervisor", ip="127.0.0.1")


class ScriptedEngine:
    """Says ``SAID`` for every file; fails the first ``failures`` calls."""

    name = "scripted"
    language = "pl"

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.calls = 0

    def transcribe(self, path: Path, *, channel: int | None = None) -> Recognition:
        self.calls += 1
        if self.calls <= self.failures:
            raise AudioError("Nie można odczytać nagrania.", f"scripted failure {self.calls}")
        words = tuple(
            Word(text, i * 0.5, i * 0.5 + 0.4, 0.9) for i, text in enumerate(SAID.split())
        )
        return Recognition(words, "pl", self.name, "scripted-model", len(words) * 0.5)


def _wav(path: Path, seconds: float = 0.5) -> Path:
    """Silent 8 kHz mono WAV (the engine is scripted; the pipeline still probes the file)."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(bytes(int(16000 * seconds)))
    return path


def _pipeline(engine: ScriptedEngine) -> Pipeline:
    return Pipeline(lambda: engine, lambda: TAGGER)


@pytest.fixture
def store(db_url: str) -> Store:
    migrate(db_url)
    return Store(db_url)


@pytest.fixture
def recording(tmp_path: Path) -> Path:
    path = tmp_path / "2026" / "12" / "03" / "1764763200.1.wav"
    path.parent.mkdir(parents=True)
    return _wav(path)


def _service(store: Store, queue: StoreQueue, attempts: int = 3) -> PostCallService:
    return PostCallService(store, queue, max_attempts=attempts)


def _count(store: Store, model: type[CallTranscript] | type[CallTopic], call_id: str) -> int:
    stmt = select(func.count()).select_from(model).where(model.call_id == call_id)
    return int(store.run_sync(lambda s: s.scalar(stmt)) or 0)


async def test_a_job_runs_once_and_running_it_again_overwrites(
    store: Store, recording: Path, tmp_path: Path
) -> None:
    queue = StoreQueue(store)
    service = _service(store, queue)
    first = await service.enqueue("1764763200.1", str(recording))
    again = await service.enqueue("1764763200.1", str(recording))
    assert first == again  # one job per (call, recording)
    worker = Worker(store, queue, _pipeline(ScriptedEngine()), WorkerSettings(poll_seconds=0.1))
    assert await worker.run_once()
    assert not await worker.run_once(wait=0.1)  # nothing left

    transcript = await RecordingsService(store, tmp_path).transcript("1764763200.1", SUPERVISOR)
    assert "[PESEL]" in transcript["text"] and "44051401359" not in transcript["text"]
    assert transcript["findings"] == {"PESEL": 1}
    assert "unredacted" not in transcript
    auto = [t["topic_id"] for t in transcript["topics"] if t["source"] == "auto"]
    assert auto == ["podatek-od-nieruchomosci"]
    words = transcript["segments"][0]["words"]
    assert words[0] == {"text": "dzień", "start": 0.0, "end": 0.4, "confidence": 0.9}

    # at-least-once: the same job delivered again (e.g. the ack was lost) changes nothing
    store.run_sync(
        lambda s: s.execute(update(PostCallJob).values(status="queued", next_at=utcnow()))
    )
    assert await worker.run_once()
    assert _count(store, CallTranscript, "1764763200.1") == 1
    assert _count(store, CallTopic, "1764763200.1") == 1
    jobs_done = await service.list_jobs("done")
    assert [(j["id"], j["attempts"]) for j in jobs_done] == [(first, 2)]


def _move_back(store: Store, job_id: int, column: str, by: timedelta) -> None:
    """Move the job's ``column`` (a due or lease time) ``by`` earlier: the time it waits for
    has passed, without the test sleeping through it."""

    def write(session: Session) -> None:
        row = session.get(PostCallJob, job_id)
        assert row is not None
        setattr(row, column, getattr(row, column) - by)

    store.run_sync(write)


async def test_failures_back_off_then_fail_and_a_supervisor_retries(
    store: Store, recording: Path, tmp_path: Path
) -> None:
    queue = StoreQueue(store)
    service = _service(store, queue, attempts=3)
    job_id = await service.enqueue("1764763200.1", str(recording))
    engine = ScriptedEngine(failures=3)
    settings = WorkerSettings(poll_seconds=0.1, backoff_seconds=0.3, backoff_max_seconds=10)
    worker = Worker(store, queue, _pipeline(engine), settings)

    waits = []
    for attempt in (1, 2):
        before = utcnow()
        assert await worker.run_once()
        job = store.run_sync(lambda s: s.get(PostCallJob, job_id).as_dict())  # type: ignore[union-attr]
        assert (job["status"], job["attempts"]) == ("queued", attempt)
        assert "scripted failure" in job["last_error"]
        waits.append(store.run_sync(lambda s: s.get(PostCallJob, job_id).next_at) - before)  # type: ignore[union-attr]
        assert not await worker.run_once(wait=0.0)  # not due yet: the back-off holds it
        _move_back(store, job_id, "next_at", waits[-1])  # as if the back-off had passed
    assert waits[0] >= timedelta(seconds=0.3) and waits[1] >= timedelta(seconds=0.6)  # doubled

    assert await worker.run_once()
    failed = await service.list_jobs("failed")
    assert [(j["id"], j["attempts"], j["status"]) for j in failed] == [(job_id, 3, "failed")]
    assert not await worker.run_once(wait=0.1)  # failed jobs are not taken again

    retried = await service.retry(job_id, SUPERVISOR)
    assert (retried["status"], retried["attempts"]) == ("queued", 0)
    assert await worker.run_once()  # the engine works now (4th call)
    assert await service.list_jobs("failed") == []
    assert _count(store, CallTranscript, "1764763200.1") == 1


async def test_an_expired_lease_is_taken_over_and_the_old_holder_cannot_finish(
    store: Store,
) -> None:
    job_id, _ = store.run_sync(lambda s: jobs.enqueue(s, "c-1", "/x/c-1.wav", 3))
    held = store.run_sync(lambda s: jobs.claim_due(s, "worker-a", 0.2))
    assert held is not None and held.id == job_id
    assert store.run_sync(lambda s: jobs.claim_due(s, "worker-b", 0.2)) is None  # still leased
    _move_back(store, job_id, "lease_until", timedelta(seconds=0.3))  # as if 0.3 s had passed
    taken = store.run_sync(lambda s: jobs.claim_due(s, "worker-b", 60))
    assert taken is not None and taken.attempts == 2
    assert not store.run_sync(lambda s: jobs.complete(s, job_id, "worker-a"))
    assert not store.run_sync(lambda s: jobs.renew(s, job_id, "worker-a", 60))
    assert store.run_sync(lambda s: jobs.complete(s, job_id, "worker-b"))


async def test_two_workers_share_jobs_and_never_run_one_twice(store: Store, tmp_path: Path) -> None:
    queue = StoreQueue(store)
    service = _service(store, queue)
    for n in range(8):
        path = _wav(tmp_path / f"call-{n}.wav")
        await service.enqueue(f"call-{n}", str(path))
    engine = ScriptedEngine()
    settings = WorkerSettings(poll_seconds=0.05)
    workers = [Worker(store, queue, _pipeline(engine), settings, f"w{i}") for i in range(2)]

    async def drain(worker: Worker) -> None:
        while await worker.run_once(wait=0.05):
            pass

    await asyncio.gather(*(drain(w) for w in workers))
    assert sum(w.processed for w in workers) == 8
    assert engine.calls == 8  # each recording transcribed exactly once
    done = await service.list_jobs("done")
    assert len(done) == 8 and {j["attempts"] for j in done} == {1}


async def test_the_unredacted_text_is_kept_only_for_the_chosen_role(
    store: Store, recording: Path, tmp_path: Path
) -> None:
    queue = StoreQueue(store)
    service = RecordingsService(store, tmp_path, unredacted_role="admin")
    await _service(store, queue).enqueue("1764763200.1", str(recording))
    pipeline = Pipeline(lambda: ScriptedEngine(), lambda: TAGGER, keep_unredacted=True)
    assert await Worker(store, queue, pipeline, WorkerSettings(poll_seconds=0.1)).run_once()
    for_supervisor = await service.transcript("1764763200.1", SUPERVISOR)
    assert "unredacted" not in for_supervisor and "44051401359" not in str(for_supervisor)
    for_admin = await service.transcript("1764763200.1", Viewer("admin", "admin"))
    assert "44051401359" in for_admin["unredacted"]
    assert "[PESEL]" in for_admin["text"]
    transcript_entries = (
        select(AuditEntry).where(AuditEntry.action.like("transcript_%")).order_by(AuditEntry.id)
    )
    reads = await store.run(
        lambda s: [(e.action, e.actor, e.target) for e in s.scalars(transcript_entries)]
    )
    assert reads == [
        ("transcript_read", "kierownik", "1764763200.1"),
        ("transcript_unredacted", "admin", "1764763200.1"),
    ]


async def test_two_workers_on_the_redis_stream_share_jobs_once(
    store: Store, tmp_path: Path, redis_url: str
) -> None:
    import redis as sync_redis

    stream = "cic:test-post-call-jobs"
    client = sync_redis.Redis.from_url(redis_url)
    client.delete(stream)
    queues = [RedisQueue(store, redis_url, stream=stream) for _ in range(2)]
    service = _service(store, queues[0])
    for n in range(6):
        await service.enqueue(f"call-{n}", str(_wav(tmp_path / f"call-{n}.wav")))
    assert client.xlen(stream) == 6
    engine = ScriptedEngine()
    settings = WorkerSettings(poll_seconds=0.05)
    workers = [Worker(store, q, _pipeline(engine), settings, f"w{i}") for i, q in enumerate(queues)]

    async def drain(worker: Worker) -> None:
        while await worker.run_once(wait=0.2):
            pass

    await asyncio.gather(*(drain(w) for w in workers))
    assert engine.calls == 6 and sum(w.processed for w in workers) == 6
    assert client.xpending(stream, "workers")["pending"] == 0  # every message acknowledged
    client.delete(stream)
    client.close()
    for queue in queues:
        await queue.close()
