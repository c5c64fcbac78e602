"""What one Prometheus scrape of ``/metrics`` costs the controller.

    PYTHONPATH=. python bench/metrics_scrape.py [--waiting 200] [--queues 20] [--scrapes 50]

The real ``create_app`` (SQLite, AMI down) serves on the loopback; its wallboard gets
``--waiting`` callers spread over ``--queues`` queues, the FastAGI metrics 10,000 requests and
the call counter 5,000 ended calls. Then ``--scrapes`` scrapes run one after another and the
median and worst time per scrape, the size of the answer and the number of samples are printed
(the scrape includes the readiness checks: a SELECT 1 and the jobs' table count). Figures only.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta

from aiohttp.test_utils import TestClient, TestServer
from prometheus_client.parser import text_string_to_metric_families

from cic.config import load_settings
from cic.events import CallQueued
from cic.web.app import SERVICES, create_app
from cic.web.monitoring import MONITOR
from tests.integration.harness import free_port

ENDED = "2026-12-07T09:00:00+00:00"


async def run(waiting: int, queues: int, scrapes: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        settings = load_settings(environ={
            "CIC_STATE_DIR": folder,
            "CIC_ASTERISK__AMI_PORT": str(free_port()),
            "CIC_ASTERISK__AGI_PORT": str(free_port()),
            "CIC_ASTERISK__INSTANCE": "bench-metrics",
        })  # fmt: skip
        app = create_app(settings)
        async with TestClient(TestServer(app, host="127.0.0.1")) as client:
            board, monitor = app[SERVICES].wallboard, app[MONITOR]
            start = datetime.now(UTC) - timedelta(minutes=5)
            for n in range(waiting):
                at = start + timedelta(seconds=n % 300)
                board.apply(CallQueued(at, f"b{n}", f"kolejka-{n % queues}", 1).to_dict())
            observe = monitor.fastagi.observe
            for n in range(10_000):
                observe("route", "routed" if n % 50 else "route_failed", 0.002 + (n % 7) / 1000)
            for n in range(5_000):
                outcome = ("answered", "abandoned", "lost")[n % 3]
                ended = {"call_id": f"e{n}", "outcome": outcome, "ended_at": ENDED}
                monitor.outcomes.note({"call": ended})
            times, text = [], ""
            for _ in range(scrapes):
                began = time.perf_counter()
                answer = await client.get("/metrics")
                text = await answer.text()
                times.append(time.perf_counter() - began)
            count = sum(len(f.samples) for f in text_string_to_metric_families(text))
            print(f"scrapes: {scrapes}, waiting callers: {waiting} in {queues} queues")
            print(f"per scrape: median {statistics.median(times) * 1000:.1f} ms, "
                  f"worst {max(times) * 1000:.1f} ms")  # fmt: skip
            print(f"answer: {len(text.encode())} bytes, {count} samples")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--waiting", type=int, default=200)
    parser.add_argument("--queues", type=int, default=20)
    parser.add_argument("--scrapes", type=int, default=50)
    args = parser.parse_args()
    asyncio.run(run(args.waiting, args.queues, args.scrapes))


if __name__ == "__main__":
    main()
