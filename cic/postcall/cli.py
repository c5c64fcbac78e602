"""``cic worker``: a post-call worker process (settings as for the other ``cic`` commands).

Runs ``speech.workers`` workers (at least one) against the configured database and queue, so
transcription can run on other hosts than the controller. Options override the settings::

    cic worker --database-url postgresql://... --queue redis \\
        --redis-url redis://10.0.0.5:6379/0 --engine whisper --model-dir /srv/whisper

``--stop-with-stdin`` (the controller starts its child so) stops the workers when standard
input reaches its end: the controller holds the pipe's other end, and the kernel closes it
when the controller dies, even by SIGKILL, so no orphaned worker keeps transcribing.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import logging
import os
import sys
import threading
from typing import Any

from cic.config import Settings
from cic.db import Store
from cic.postcall.build import make_pipeline, make_queue, make_workers, topic_cache

log = logging.getLogger(__name__)


def add_parser(sub: Any) -> None:
    """Add ``worker`` and its options to the ``cic`` parser."""
    parser = sub.add_parser(
        "worker", help="post-call worker process: transcribe, redact and tag recordings",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--redis-url", default=None)
    parser.add_argument("--queue", choices=("store", "redis"), default=None)
    parser.add_argument("--engine", default=None)
    parser.add_argument("--model-dir", default=None)
    parser.add_argument("--language", default=None)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--lease-seconds", type=int, default=None)
    parser.add_argument("--poll-seconds", type=int, default=None)
    parser.add_argument("--name", default=None, help="worker name (lease owner)")
    parser.add_argument(
        "--nice", type=int, default=0,
        help="lower this process's CPU priority by N (the controller's child: 10)",
    )  # fmt: skip
    parser.add_argument(
        "--stop-with-stdin", action="store_true",
        help="stop when standard input ends (the parent process is gone)",
    )  # fmt: skip


def run(settings: Settings, args: argparse.Namespace) -> None:
    """Run the workers until interrupted (Ctrl-C, SIGTERM's default, or stdin's end)."""
    try:
        asyncio.run(serve(settings, args))
    except (KeyboardInterrupt, asyncio.CancelledError):
        pass


async def serve(settings: Settings, args: argparse.Namespace) -> None:
    """Run the workers until cancelled."""
    speech = settings.speech
    stt = dict(speech.stt)
    if args.engine:
        stt["engine"] = args.engine
    if args.model_dir:
        stt["model_dir"] = args.model_dir
    if args.language:
        stt["language"] = args.language
    changes: dict[str, object] = {"stt": stt}
    for name in ("queue", "workers", "lease_seconds", "poll_seconds"):
        if getattr(args, name) is not None:
            changes[name] = getattr(args, name)
    speech = dataclasses.replace(speech, **changes)  # type: ignore[arg-type]
    store = Store(args.database_url or settings.db_url)
    queue = make_queue(speech, store, args.redis_url or settings.redis_url)
    workers = make_workers(
        dataclasses.replace(speech, workers=max(speech.workers, 1)),
        store,
        queue,
        make_pipeline(speech, store, topic_cache(settings)),
    )
    if args.name:
        for index, worker in enumerate(workers):
            worker.name = f"{args.name}:{index}"
    if args.nice > 0:
        os.nice(args.nice)  # transcription yields the CPU to Asterisk and the controller
    if args.stop_with_stdin:
        watch_stdin(asyncio.get_running_loop(), asyncio.current_task())
    try:
        await asyncio.gather(*(worker.run_forever() for worker in workers))
    finally:
        await queue.close()
        await store.close()


def watch_stdin(
    loop: asyncio.AbstractEventLoop, task: asyncio.Task[object] | None, grace: float = 15.0
) -> threading.Thread:
    """Cancel ``task`` when standard input ends; leave the process after ``grace`` seconds
    if the clean stop hangs (a transcription running in a thread cannot be interrupted)."""

    def wait() -> None:
        try:
            while sys.stdin.buffer.read(4096):
                pass
        except (OSError, ValueError):
            pass
        log.warning("the controller is gone (standard input closed); stopping the workers")
        if task is not None:
            loop.call_soon_threadsafe(task.cancel)
        threading.Event().wait(grace)
        os._exit(0)

    thread = threading.Thread(target=wait, name="stdin-watch", daemon=True)
    thread.start()
    return thread
