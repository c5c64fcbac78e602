"""The contact centre's figures at a busy office's size: how long a month of calls takes to
sum (all figures against the previous month), to bin into the heat map, to forecast staffing
and to list one drill-down.

    PYTHONPATH=. python bench/dashboard_centre.py [--calls 100000] [--db URL]

Made-up calls over two months (both measured: the figures compare with the previous month)
with topics, wrap-ups, transfers, callbacks and contact reports; the store is SQLite in a
temporary folder unless ``--db`` names another (an empty PostgreSQL database). Figures only;
nothing is asserted.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from cic.agents.models import Agent, Queue
from cic.callbacks.models import CallbackRequest
from cic.calls.models import Call, CallWrapup
from cic.cases.models import ContactReport
from cic.config import DashboardSettings, OfficeSettings
from cic.dashboard import centre_drill, contact_centre
from cic.dashboard.drill_common import Ask
from cic.dashboard.heatmap import heatmap
from cic.dashboard.period import month
from cic.dashboard.staffing import forecast
from cic.db import Store
from cic.recordings.models import CallTopic
from cic.transfers.models import Transfer

TOPICS = ("podatki", "odpady", "woda", "meldunek", "dowody", "drogi", "skarga")
START = datetime(2026, 10, 31, 23, tzinfo=UTC)  # 1 November, local midnight


def fill(session: Session, calls: int, seed: int = 3) -> None:
    """``calls`` made-up calls spread over November and December 2026, with their records."""
    rng = random.Random(seed)
    session.add_all([Queue(name="pierwsza-linia", title="Pierwsza linia")])
    session.add_all(
        Agent(username=f"agent{n}", display_name=f"Konsultant {n}", endpoint=f"agent-agent{n}")
        for n in range(40)
    )
    rows: list[dict[str, Any]] = []
    wrapups, topics, transfers, callbacks = [], [], [], []
    queue = "pierwsza-linia"
    for n in range(calls):
        at = START + timedelta(seconds=rng.randrange(61 * 86400))
        outcome = rng.choices(("answered", "abandoned", "callback"), (90, 8, 2))[0]
        wait = rng.expovariate(1 / 25)
        call_id = f"b{n}"
        agent = f"PJSIP/agent-agent{rng.randrange(40)}" if outcome == "answered" else None
        rows.append({
            "call_id": call_id, "caller_number": f"48500{rng.randrange(30000):06d}",
            "entered_at": at, "queued_at": at + timedelta(seconds=3), "queue": "pierwsza-linia",
            "answered_at": at + timedelta(seconds=3 + wait) if agent else None, "agent": agent,
            "outcome": outcome, "wait_seconds": wait, "talk_seconds": rng.uniform(30, 600)
            if agent else None,
        })  # fmt: skip
        if agent:
            topic = rng.choice(TOPICS)
            wrapups.append({"call_id": call_id, "agent": agent, "outcome": "inne",
                            "topic": topic, "saved_by": "x", "saved_at": at})  # fmt: skip
            topics.append({"call_id": call_id, "topic_id": rng.choice(TOPICS),
                           "source": "auto", "matched": [], "created_at": at})  # fmt: skip
            if rng.random() < 0.1:
                transfers.append({"call_id": call_id, "kind": "attended", "state": "completed",
                                  "target_kind": "agent", "target": "agent1",
                                  "created_at": at, "updated_at": at})  # fmt: skip
        elif outcome == "callback":
            status = rng.choice(("done", "failed"))
            callbacks.append({"call_id": call_id, "number": "600100200", "queue": queue,
                              "status": status, "requested_at": at})  # fmt: skip
    for table, values in ((Call, rows), (CallWrapup, wrapups), (CallTopic, topics),
                          (Transfer, transfers), (CallbackRequest, callbacks)):  # fmt: skip
        for chunk in range(0, len(values), 5000):
            session.execute(insert(table), values[chunk : chunk + 5000])
    session.execute(insert(ContactReport), [
        {"topic": rng.choice(TOPICS), "channel": "email", "contact": f"m{n}@example.pl",
         "created_by": "x", "created_at": START + timedelta(seconds=rng.randrange(61 * 86400)),
         "updated_at": START}
        for n in range(calls // 20)
    ])  # fmt: skip


def timed(label: str, work: Any) -> Any:
    """Run ``work()`` and print how long it took."""
    started = time.perf_counter()
    out = work()
    print(f"{label}: {time.perf_counter() - started:.2f} s")
    return out


def main() -> None:
    """Fill a store and time the dashboard's contact-centre parts."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--db", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        store = Store(args.db or f"sqlite:///{Path(folder) / 'cic.db'}")
        store.migrate()
        timed(f"fill {args.calls} calls", lambda: store.run_sync(lambda s: fill(s, args.calls)))
        december, office, dashboard = month(2026, 12), OfficeSettings(), DashboardSettings()
        found = timed("all figures, December against November", lambda: store.run_sync(
            lambda s: contact_centre.figures(s, december, dashboard, office)))  # fmt: skip
        for figure in found:
            print(f"  {figure.key}: {figure.value} (before {figure.previous})")
        timed("heat map", lambda: store.run_sync(lambda s: heatmap(s, december)))
        timed("staffing, Tuesdays", lambda: store.run_sync(
            lambda s: forecast(s, december, dashboard, office, weekday=1)))  # fmt: skip
        drills = centre_drill.sources(office)
        ask = Ask(december, None, 50, 0, dashboard)
        for key in ("calls.answered_slow", "contacts.repeated"):
            source = drills[key]
            timed(f"drill {key} (first 50 and the total)",
                  lambda source=source: store.run_sync(lambda s: source(s, ask)))  # fmt: skip


if __name__ == "__main__":
    main()
