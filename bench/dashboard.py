"""The dashboard at an office's size: the time to compute one month's full report.

    PYTHONPATH=. python bench/dashboard.py [--calls 100000] [--reports 50000] [--months 4]
        [--runs 3] [--db sqlite|postgresql|both]

Made-up records over ``--months`` months up to April 2026 (calls with wait and talk times,
outcomes, queues, agents, topics, some transfers and callbacks; contact reports from every
channel; cases; residents; announcements; incidents; warnings; portal page views) are
bulk-inserted (executemany) into a fresh SQLite file and a fresh PostgreSQL database (dropped
at the end; skipped with a note when PostgreSQL is unreachable). Then ``report()`` for March
2026 (the strategy's and the contact centre's sections, as the page shows them) runs
``--runs`` times on each and the best and median times are printed, with the ratio
PostgreSQL / SQLite. Figures only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import secrets
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cic.announcements.models import Announcement, NewsCategory  # noqa: E402
from cic.callbacks.models import CallbackRequest  # noqa: E402
from cic.calls.models import Call  # noqa: E402
from cic.cases.models import REPORT_CHANNELS, Case, ContactReport  # noqa: E402
from cic.config import DashboardSettings, OfficeSettings  # noqa: E402
from cic.dashboard import centre_drill, contact_centre  # noqa: E402
from cic.dashboard.period import month  # noqa: E402
from cic.dashboard.service import DashboardService  # noqa: E402
from cic.db import Base, Store  # noqa: E402
from cic.incidents.models import Incident, ThreatCategory  # noqa: E402
from cic.portal.models import PortalPageView  # noqa: E402
from cic.recordings.models import CallTopic  # noqa: E402
from cic.residents.models import Resident  # noqa: E402
from cic.transfers.models import Transfer  # noqa: E402
from cic.warnings.models import ResidentWarning  # noqa: E402

ADMIN_PG = "postgresql://postgres@127.0.0.1:5432/test"
END = datetime(2026, 5, 1, tzinfo=UTC)
TOPICS = ("podatki", "odpady", "meldunek", "dowod", "skarga", "drogi", "inne")
JRWA = ("3110", "3120", "1510", "1511", "6220", "7011")
QUEUES = ("pierwsza-linia", "podatki", "odpady")
OUTCOMES = ("answered",) * 8 + ("abandoned", "unanswered", "message", "callback")
PAGES = (
    "/e-urzad",
    "/e-urzad/uslugi",
    "/e-urzad/ogloszenia",
    "/e-urzad/sprawa",
    "/e-urzad/naleznosci",
)
BATCH = 10_000


def _moment(rng: random.Random, start: datetime) -> datetime:
    """A moment in office hours between ``start`` and the end of April."""
    day = start + timedelta(days=rng.randrange((END - start).days))
    return day.replace(hour=rng.randint(6, 15), minute=rng.randrange(60), second=rng.randrange(60))


def calls(n: int, start: datetime, rng: random.Random) -> Iterator[dict[str, Any]]:
    """``n`` calls: waits, talks, outcomes, queues and agents."""
    for i in range(n):
        entered = _moment(rng, start)
        outcome = rng.choice(OUTCOMES)
        wait = rng.expovariate(1 / 25)
        talk = rng.expovariate(1 / 180) if outcome == "answered" else None
        answered = entered + timedelta(seconds=wait) if talk is not None else None
        yield {
            "call_id": f"{1_770_000_000 + i}.{i % 97}",
            "caller_number": f"48500{i % 900000:06d}",
            "entered_at": entered,
            "queued_at": entered,
            "answered_at": answered,
            "ended_at": entered + timedelta(seconds=wait + (talk or 0)),
            "queue": rng.choice(QUEUES),
            "agent": f"agent{rng.randrange(12)}" if talk else None,
            "outcome": outcome,
            "wait_seconds": wait,
            "talk_seconds": talk,
        }


def call_extras(n: int, rng: random.Random) -> tuple[list[Any], list[Any], list[Any]]:
    """Topics for most calls, transfers for some, callbacks for a few."""
    topics, transfers, callbacks = [], [], []
    for i in range(n):
        call_id = f"{1_770_000_000 + i}.{i % 97}"
        if rng.random() < 0.7:
            topics.append(
                {
                    "call_id": call_id,
                    "topic_id": rng.choice(TOPICS),
                    "source": "wrapup",
                    "matched": [],
                    "confidence": 1.0,
                }
            )
        if rng.random() < 0.05:
            transfers.append(
                {
                    "call_id": call_id,
                    "kind": "attended",
                    "state": "completed",
                    "target_kind": "queue",
                    "target": rng.choice(QUEUES),
                }
            )
        if rng.random() < 0.02:
            callbacks.append(
                {"call_id": call_id, "number": "600100200", "queue": QUEUES[0], "status": "done"}
            )
    return topics, transfers, callbacks


def reports(n: int, cases: int, start: datetime, rng: random.Random) -> Iterator[dict[str, Any]]:
    """``n`` contact reports from every channel; some answered, some closed, some made cases."""
    channels = list(REPORT_CHANNELS)
    for _ in range(n):
        created = _moment(rng, start)
        answered = created + timedelta(hours=rng.randint(1, 200)) if rng.random() < 0.6 else None
        yield {
            "topic": rng.choice(TOPICS),
            "channel": rng.choice(channels),
            "created_by": "agent1",
            "status": "zamkniete" if rng.random() < 0.3 else "w_toku",
            "created_at": created,
            "updated_at": created + timedelta(days=2),
            "answered_at": answered,
            "case_id": rng.randint(1, cases) if rng.random() < 0.05 else None,
        }


def cases(n: int, start: datetime, rng: random.Random) -> Iterator[dict[str, Any]]:
    """``n`` cases; two thirds closed after 1-60 days."""
    for i in range(1, n + 1):
        started = _moment(rng, start).date()
        closed = started + timedelta(days=rng.randint(1, 60)) if rng.random() < 0.66 else None
        jrwa = rng.choice(JRWA)
        yield {
            "id": i,
            "signature": f"FN.{jrwa}.{i}.2026",
            "unit": "FN",
            "jrwa": jrwa,
            "year": 2026,
            "number": i,
            "title": "Sprawa",
            "started_on": started,
            "closed_on": closed if closed and closed < END.date() else None,
            "status": "zakonczona" if closed else "w_toku",
            "deadline_kind": "miesiac",
            "pin_hash": "x",
            "registered_by": "urzednik1",
        }


def office(start: datetime, rng: random.Random) -> dict[type[Base], list[dict[str, Any]]]:
    """Residents, announcements, incidents, warnings and page views."""
    days = (END - start).days
    return {
        Resident: [
            {"name": f"Mieszkaniec {i}", "created_at": _moment(rng, start - timedelta(days=400))}
            for i in range(20_000)
        ],
        Announcement: [
            {
                "title": "Ogłoszenie",
                "slug": f"o-{i}",
                "state": "published",
                "category_id": 1,
                "publish_at": _moment(rng, start),
            }
            for i in range(400)
        ],
        Incident: [
            {
                "category_id": 1,
                "title": "Zdarzenie",
                "lat": 52.0,
                "lon": 21.0,
                "priority": "sredni",
                "source": "telefon",
                "status": "zgloszone",
                "created_at": _moment(rng, start),
            }
            for _ in range(3000)
        ],
        ResidentWarning: [
            {
                "title": "Ostrzeżenie",
                "text": "Uwaga.",
                "severity": "alarm",
                "valid_until": END,
                "sent_at": _moment(rng, start),
                "state": "wyslane",
            }
            for _ in range(200)
        ],
        PortalPageView: [
            {"day": (start + timedelta(days=d)).date(), "path": p, "views": rng.randint(50, 900)}
            for d in range(days)
            for p in PAGES
        ],
    }


def _bulk(store: Store, model: type[Base], rows: Iterator[dict[str, Any]] | list[Any]) -> int:
    table = Base.metadata.tables[model.__tablename__]  # Core executemany: no ORM work per row
    batch: list[dict[str, Any]] = []
    total = 0
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            store.run_sync(lambda s, b=batch: s.execute(table.insert(), b))  # type: ignore[misc]
            total, batch = total + len(batch), []
    if batch:
        store.run_sync(lambda s: s.execute(table.insert(), batch))
        total += len(batch)
    return total


def fill(store: Store, args: argparse.Namespace) -> float:
    """Every made-up record into ``store``; the seconds it took."""
    rng = random.Random(20)
    start = END - timedelta(days=30 * args.months)
    started = time.perf_counter()
    store.run_sync(lambda s: s.get(NewsCategory, 1) and s.get(ThreatCategory, 1))  # seeded
    _bulk(store, Case, cases(args.reports // 10, start, rng))
    _bulk(store, ContactReport, reports(args.reports, args.reports // 10, start, rng))
    _bulk(store, Call, calls(args.calls, start, rng))
    for model, rows in zip(
        (CallTopic, Transfer, CallbackRequest), call_extras(args.calls, rng), strict=True
    ):
        _bulk(store, model, rows)
    for model, rows in office(start, rng).items():
        _bulk(store, model, rows)
    return time.perf_counter() - started


def measure(url: str, args: argparse.Namespace) -> list[float]:
    """Migrate, fill and time the March report ``--runs`` times; the times in seconds."""
    store = Store(url)
    store.migrate()
    print(f"  filled in {fill(store, args):.1f} s")
    dashboard, office = DashboardSettings(), OfficeSettings()
    service = DashboardService(
        store, dashboard, "Europe/Warsaw", True,
        providers=[(contact_centre.SECTION, contact_centre.TITLE,
                    contact_centre.provider(dashboard, office))],
        drills=centre_drill.sources(office),
    )  # fmt: skip
    times = []
    for _ in range(args.runs):
        started = time.perf_counter()
        sections = asyncio.run(service.report(month(2026, 3)))
        times.append(time.perf_counter() - started)
    figures = sum(len(s.figures) for s in sections)
    print(
        f"  report of March 2026 ({figures} figures): best {min(times):.3f} s, "
        f"median {statistics.median(times):.3f} s"
    )
    store.engine.dispose()
    return times


def on_postgres(args: argparse.Namespace) -> list[float] | None:
    """The PostgreSQL run in a database of its own, dropped afterwards; None if unreachable."""
    name = f"cic_bench_{secrets.token_hex(4)}"
    try:
        with psycopg.connect(ADMIN_PG, autocommit=True, connect_timeout=3) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.OperationalError as exc:
        print(f"PostgreSQL: unreachable at {ADMIN_PG}, skipped ({exc.__class__.__name__})")
        return None
    try:
        print("PostgreSQL:")
        return measure(f"postgresql://postgres@127.0.0.1:5432/{name}", args)
    finally:
        with psycopg.connect(ADMIN_PG, autocommit=True) as conn:
            drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            conn.execute(drop)


def main() -> None:
    """Parse the arguments, run the chosen databases and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--reports", type=int, default=50_000)
    parser.add_argument("--months", type=int, default=4)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args()
    # Stopped early (kill): leave through ``finally`` so the PostgreSQL database is dropped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    print(f"{args.calls} calls, {args.reports} contact reports over {args.months} months")
    lite = pg = None
    if args.db in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as folder:
            print("SQLite:")
            lite = measure(f"sqlite:///{folder}/cic.db", args)
    if args.db in ("postgresql", "both"):
        pg = on_postgres(args)
    if lite and pg:
        print(f"PostgreSQL / SQLite (best): {min(pg) / min(lite):.2f}")


if __name__ == "__main__":
    main()
