"""A soak: hours of calls at a realistic rate, watching for anything that grows.

    PYTHONPATH=. python bench/soak.py [--minutes 120] [--rate 0.5] [--talk 20] [--every 5]

One agent phone answers; residents call at ``--rate`` calls per second (0.5/s is 1,800 an hour,
a busy county's peak), each talking ``--talk`` seconds, recorded. Every ``--every`` minutes it
prints the controller's resident memory, open files, asyncio tasks and threads (from
``/api/status``), Asterisk's memory and open files, the calls on record and the routing p99. At
the end it prints the change per hour of each (a least-squares slope over the samples, the first
tenth left out as warm-up): flat means no leak. Figures only; not run in CI.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from cic.asterisk import process, provision
from cic.demo.runner import Sipp
from cic.demo.scenarios import AgentPhone, ResidentCall, resident_xml
from tests.integration.harness import Harness


def asterisk_figures(pid: int | None) -> tuple[int, int]:
    """Asterisk's resident memory (bytes) and open files."""
    if pid is None:
        return 0, 0
    rss = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            rss = int(line.split()[1]) * 1024
    return rss, len(os.listdir(f"/proc/{pid}/fd"))


def sample(h: Harness, asterisk: int | None, started: float) -> dict[str, Any]:
    """One row of figures."""
    status = h.api("GET", "/api/status?last=200")
    proc = status["process"]
    a_rss, a_fds = asterisk_figures(asterisk)
    calls, page = 0, 500
    while True:
        got = len(h.api("GET", f"/api/calls?limit={page}&offset={calls}"))
        calls += got
        if got < page:
            break
    return {
        "minute": (time.monotonic() - started) / 60, "rss_mb": proc["rss_bytes"] / 2**20,
        "fds": proc["open_fds"], "tasks": proc["tasks"], "threads": proc["threads"],
        "asterisk_rss_mb": a_rss / 2**20, "asterisk_fds": a_fds, "calls": calls,
        "routing_p99": status["routing_latency_ms"].get("p99"),
    }  # fmt: skip


def slope_per_hour(rows: list[dict[str, Any]], key: str) -> float:
    """Least-squares change of ``key`` per hour, after the warm-up tenth."""
    kept = rows[len(rows) // 10 :]
    if len(kept) < 2:
        return float("nan")
    xs = [r["minute"] / 60 for r in kept]
    ys = [float(r[key] or 0) for r in kept]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    var = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / var if var else 0.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=120)
    parser.add_argument("--rate", type=float, default=0.5)
    parser.add_argument("--talk", type=float, default=20)
    parser.add_argument("--every", type=float, default=5)
    args = parser.parse_args()
    state = Path(tempfile.mkdtemp(prefix="cic-soak-"))
    calls = int(args.minutes * 60 * args.rate)
    concurrent = int(args.rate * (args.talk + 15)) + 5
    h = Harness.create(state / "state", CIC_OFFICE__RECORDING_POLICY="always",
                       CIC_OFFICE__WRAPUP_SECONDS="0")  # fmt: skip
    rows: list[dict[str, Any]] = []
    try:
        h.start_controller()
        h.login("soak", AgentPhone(ring_ms=500), calls=0)
        asterisk = process.running_pid(provision.locate(h.settings))
        port = h.port()
        h.next_port += 20
        resident = ResidentCall(number="48500100999", hangup_after_ms=int((args.talk + 10) * 1000))
        sipp = Sipp(
            resident_xml(resident), local_port=port, media_port=port + 2,
            target=f"127.0.0.1:{h.settings.asterisk.sip_port}", service=h.settings.office.extension,
            calls=calls, rate=args.rate, max_concurrent=concurrent,
        ).start()  # fmt: skip
        started = time.monotonic()
        while sipp.proc is not None and sipp.proc.poll() is None:
            rows.append(sample(h, asterisk, started))
            r = rows[-1]
            print(f"{r['minute']:6.1f} min: controller {r['rss_mb']:.1f} MB, {r['fds']} files, "
                  f"{r['tasks']} tasks, {r['threads']} threads; Asterisk {r['asterisk_rss_mb']:.1f}"
                  f" MB, {r['asterisk_fds']} files; calls on record {r['calls']}; "
                  f"routing p99 {r['routing_p99']} ms", flush=True)  # fmt: skip
            deadline = time.monotonic() + args.every * 60
            while time.monotonic() < deadline and sipp.proc.poll() is None:
                time.sleep(1)
        rows.append(sample(h, asterisk, started))
    finally:
        h.close()
    print(f"{args.minutes:.0f} min at {args.rate} calls/s ({calls} calls), slopes per hour:")
    for key, unit in (("rss_mb", "MB"), ("fds", "files"), ("tasks", "tasks"),
                      ("threads", "threads"), ("asterisk_rss_mb", "MB"),
                      ("asterisk_fds", "files")):  # fmt: skip
        print(f"  {key:<16} {slope_per_hour(rows, key):+9.2f} {unit}/h")


if __name__ == "__main__":
    main()
