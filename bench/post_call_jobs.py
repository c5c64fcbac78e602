"""Recordings transcribed per hour by the post-call jobs, with one and with two workers.

    PYTHONPATH=. python bench/post_call_jobs.py [--calls 6] [--seconds 30] [--engine vosk]
        [--model DIR] [--database-url URL] [--queue store|redis --redis-url URL]

Each call is a recording with two speaker files (``-resident``/``-agent``, as MixMonitor's
``r()``/``t()`` write them) of ``--seconds`` of espeak-ng speech at 8 kHz with pauses. The same
calls are queued as jobs in a fresh database and drained by the real workers (queue, lease,
transcription of both speakers, redaction, tagging, saving) - first by one worker, then by two
in one process sharing the loaded engine. The engine is loaded before timing starts. Without
``--model`` the test models are used (Korean Vosk small, Whisper base). Prints both runs side by
side and their ratio; then the same calls drained by 1, 2, ... worker processes
(``--processes``, each ``cic worker`` as the controller's child or another host runs
it, with the Redis stream when ``--queue redis``), so an office can size its workers.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import delete, select

from bench.stt_speed import call_audio
from cic.db import Store, migrate
from cic.postcall.models import PostCallJob
from cic.postcall.pipeline import Pipeline
from cic.postcall.queue import JobQueue, RedisQueue, StoreQueue
from cic.postcall.service import PostCallService
from cic.postcall.worker import Worker, WorkerSettings
from cic.recordings.models import CallTopic, CallTranscript, RecordingChannel
from cic.speech.stt import create_engine
from cic.topics.tagger import Tagger
from cic.topics.taxonomy import load_taxonomy
from tests.fixtures.speech import (
    KOREAN,
    KOREAN_OTHER,
    POLISH_AGENT,
    POLISH_RESIDENT,
    vosk_ko_model,
    whisper_base_model,
)


def make_calls(directory: Path, calls: int, seconds: float, engine: str) -> list[Path]:
    """``calls`` mixed recordings, each with its two speaker files beside it."""
    voice = "ko" if engine == "vosk" else "pl"
    texts = [KOREAN, KOREAN_OTHER] if voice == "ko" else [POLISH_RESIDENT, POLISH_AGENT]
    speech = directory / "speech"
    speech.mkdir()
    resident = call_audio(speech, seconds, voice=voice, texts=texts)
    agent = call_audio(speech, seconds, voice=voice, texts=texts[::-1])
    day = directory / "recordings" / "2026" / "12" / "03"
    day.mkdir(parents=True)
    mixed: list[Path] = []
    for n in range(calls):
        stem = day / f"1764763200.{n}"
        shutil.copy(resident, f"{stem}-resident.wav")
        shutil.copy(agent, f"{stem}-agent.wav")
        subprocess.run(["sox", "-V1", "-m", str(resident), str(agent), f"{stem}.wav"], check=True)
        mixed.append(Path(f"{stem}.wav"))
    return mixed


async def run(
    store: Store, queue: JobQueue, pipeline: Pipeline, files: list[Path], workers: int
) -> float:
    """Queue every call and drain with ``workers`` workers; returns the wall-clock seconds."""
    _clear(store)
    service = PostCallService(store, queue)
    settings = WorkerSettings(lease_seconds=600, poll_seconds=0.2)
    pool = [Worker(store, queue, pipeline, settings, f"bench-{i}") for i in range(workers)]
    started = time.perf_counter()
    for path in files:
        await service.enqueue(path.stem, str(path))

    async def drain(worker: Worker) -> None:
        while await worker.run_once(wait=0.2):
            pass

    await asyncio.gather(*(drain(w) for w in pool))
    elapsed = time.perf_counter() - started
    done = sum(w.processed for w in pool)
    assert done == len(files), f"{done} of {len(files)} jobs done"
    return elapsed


def _clear(store: Store) -> None:
    store.run_sync(
        lambda s: [
            s.execute(delete(t)) for t in (PostCallJob, CallTranscript, CallTopic, RecordingChannel)
        ]
    )


async def run_processes(
    store: Store, queue: JobQueue, files: list[Path], processes: int, worker_args: list[str]
) -> float:
    """Queue every call and drain with ``processes`` worker processes (``cic worker``, one
    worker each, as on several hosts); the wall-clock seconds, each process loading its engine
    once included."""
    _clear(store)
    service = PostCallService(store, queue)
    started = time.perf_counter()
    for path in files:
        await service.enqueue(path.stem, str(path))
    command = [sys.executable, "-m", "cic", "worker", *worker_args]
    children = [
        subprocess.Popen([*command, "--name", f"bench-process-{i}"], stderr=subprocess.DEVNULL)
        for i in range(processes)
    ]
    finished = select(PostCallJob.id).where(PostCallJob.status == "done")
    try:
        while True:
            done = store.run_sync(lambda s: len(s.scalars(finished).all()))
            if done >= len(files):
                break
            if all(c.poll() is not None for c in children):
                raise SystemExit("every worker process exited")
            await asyncio.sleep(0.2)
        return time.perf_counter() - started
    finally:
        for child in children:
            child.terminate()
        for child in children:
            child.wait(10)


async def under_load(
    store: Store,
    queue: JobQueue,
    pipeline: Pipeline,
    files: list[Path],
    per_hour: float,
    minutes: float,
) -> list[float]:
    """Calls hang up every ``3600 / per_hour`` s for ``minutes`` (real time) while two workers
    run; returns each job's delay from hang-up (enqueue) to its transcript being stored."""
    _clear(store)
    service = PostCallService(store, queue)
    settings = WorkerSettings(lease_seconds=600, poll_seconds=0.5)
    pool = [Worker(store, queue, pipeline, settings, f"load-{i}") for i in range(2)]
    tasks = [asyncio.create_task(w.run_forever()) for w in pool]
    interval = 3600.0 / per_hour
    count = max(1, int(minutes * 60 / interval))
    for n in range(count):
        await service.enqueue(f"load-{n}", str(files[n % len(files)]))
        await asyncio.sleep(interval)
    while sum(w.processed for w in pool) < count:
        await asyncio.sleep(0.5)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    rows = store.run_sync(
        lambda s: [(j.created_at, j.finished_at) for j in s.scalars(select(PostCallJob))]
    )
    return [(done - made).total_seconds() for made, done in rows if done is not None]


async def main() -> None:
    """Parse options, build the calls, run one and two workers, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=6)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--engine", choices=("vosk", "whisper"), default="vosk")
    parser.add_argument("--model", default="")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--queue", choices=("store", "redis"), default="store")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/7")
    parser.add_argument("--load-minutes", type=float, default=0.0, help="also run under load")
    parser.add_argument("--load-per-hour", type=float, default=60.0)
    parser.add_argument("--processes", default="1,2", help="worker process counts, e.g. 1,2,4")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        model = args.model or str(
            vosk_ko_model() if args.engine == "vosk" else whisper_base_model(directory)
        )
        files = make_calls(directory, args.calls, args.seconds, args.engine)
        url = args.database_url or f"sqlite:///{directory / 'bench.db'}"
        migrate(url)
        store = Store(url)
        queue: JobQueue = (
            RedisQueue(store, args.redis_url, stream="cic:bench-post-call-jobs")
            if args.queue == "redis"
            else StoreQueue(store)
        )
        language = "ko" if args.engine == "vosk" else "pl"
        engine = create_engine(
            {"engine": args.engine, "model_dir": model, "language": language, "cpu_threads": 1}
            if args.engine == "whisper"
            else {"engine": "vosk", "model_dir": model, "language": language}
        )
        tagger = Tagger(load_taxonomy())
        pipeline = Pipeline(lambda: engine, lambda: tagger)
        pipeline.transcribe(files[0])  # load the model before timing
        audio = args.seconds * 2 * len(files)
        results = {n: await run(store, queue, pipeline, files, n) for n in (1, 2)}
        worker_args = ["--database-url", url, "--queue", args.queue, "--workers", "1",
                       "--engine", args.engine, "--model-dir", model, "--language", language,
                       "--poll-seconds", "1"]  # fmt: skip
        if args.queue == "redis":
            worker_args += ["--redis-url", args.redis_url]
        by_process = {
            n: await run_processes(store, queue, files, n, worker_args)
            for n in (int(x) for x in args.processes.split(","))
        }
        delays: list[float] = []
        if args.load_minutes > 0:
            delays = await under_load(
                store, queue, pipeline, files, args.load_per_hour, args.load_minutes
            )
        if isinstance(queue, RedisQueue):
            await queue.client.delete(queue.stream)  # the bench's own stream only
        await queue.close()
        await store.close()
    cores = os.cpu_count() or 1
    print(
        f"post-call jobs: {args.calls} calls x 2 speakers x {args.seconds:.0f} s, "
        f"{args.engine}, queue {args.queue}, {cores} cores"
    )
    print(f"{'workers':>8} {'wall s':>8} {'rec/hour':>9} {'audio RTF':>10}")
    for workers, elapsed in results.items():
        per_hour = len(files) / elapsed * 3600
        print(f"{workers:>8} {elapsed:>8.1f} {per_hour:>9.0f} {elapsed / audio:>10.3f}")
    print(f"two workers / one worker throughput: {results[1] / results[2]:.2f}x")
    print(
        f"{'processes':>9} {'wall s':>8} {'rec/hour':>9}   (one worker each, engine load included)"
    )
    for processes, elapsed in by_process.items():
        print(f"{processes:>9} {elapsed:>8.1f} {len(files) / elapsed * 3600:>9.0f}")
    if delays:
        ready = sum(d <= args.seconds for d in delays) / len(delays)
        print(
            f"under {args.load_per_hour:.0f} calls/hour for {args.load_minutes:.0f} min, two "
            f"workers: {len(delays)} calls, ready within one call-length ({args.seconds:.0f} s) "
            f"after hang-up: {ready:.0%}; delay median {sorted(delays)[len(delays) // 2]:.1f} s,"
            f" max {max(delays):.1f} s"
        )


if __name__ == "__main__":
    asyncio.run(main())
