"""The resident portal under concurrent load: requests per second and p95 latency of its main
pages, side by side with a static file served by the same server.

    PYTHONPATH=. python bench/portal.py [--seconds 8] [--connections 1,50]

Starts a real Asterisk instance and the real controller (``cic serve``) the way the test
harness does, waits until the knowledge base (the e-services catalogue and its search) is
loaded, then ``wrk`` (Debian package ``wrk``) loads each page with no cookie, as a resident's
browser does, once per number of connections. p95 comes from wrk's own histogram through a
small Lua ``done`` hook. The ratio column is the page's requests per second against the static
stylesheet's at the same number of connections (1.00 would be as cheap as a file). Pages that
answer something other than 200 are listed as not served. Figures only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.error import HTTPError
from urllib.request import urlopen

from bench.web_rps import parse_wrk
from tests.integration.harness import Harness

STATIC = "/static/css/portal.css"
PAGES = (
    STATIC,
    "/e-urzad/",
    "/e-urzad/uslugi",
    "/e-urzad/uslugi/szukaj?q=podatek+od+nieruchomosci",
    "/e-urzad/uslugi/dowod-osobisty-wniosek",
    "/e-urzad/sprawa",
    "/e-urzad/naleznosci",
    "/e-urzad/ogloszenia",
    "/e-urzad/ogloszenia/rss.xml",
    "/e-urzad/konsultacje",
    "/e-urzad/kontakt",
)
LUA = """
done = function(summary, latency, requests)
  io.write(string.format("P95_US %d\\n", latency:percentile(95)))
end
"""


@dataclass
class Result:
    """What one wrk run reported."""

    path: str
    connections: int
    rps: float
    p95_ms: float
    requests: int
    errors: int


def parse(output: str) -> tuple[float, float, int, int]:
    """(requests/s, p95 ms, requests, errors) of one wrk run: ``bench.web_rps.parse_wrk``'s
    figures plus the p95 the Lua hook printed."""
    rps, _p50, _p99, total, errors = parse_wrk(output)
    p95 = re.search(r"P95_US (\d+)", output)
    return rps, int(p95.group(1)) / 1000 if p95 else float("nan"), total, errors


def status_of(url: str) -> int:
    """The status of one GET (no cookie)."""
    try:
        with urlopen(url, timeout=10) as answer:
            answer.read()
            return int(answer.status)
    except HTTPError as exc:
        return exc.code


def wait_for_catalogue(base: str, timeout: float = 120) -> None:
    """The knowledge base is imported and indexed in the background after start-up."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if status_of(base + "/e-urzad/uslugi/dowod-osobisty-wniosek") == 200:
            return
        time.sleep(1)


def main() -> None:
    """Start everything, load each page, print the table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=8, help="wrk duration per run")
    parser.add_argument("--connections", default="1,50", help="comma-separated counts")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    state = Path(tempfile.mkdtemp(prefix="cic-bench-portal-"))
    script = state / "p95.lua"
    script.write_text(LUA)
    h = Harness.create(state / "state", CIC_OFFICE__RECORDING_POLICY="never")
    results: list[Result] = []
    missing: list[tuple[str, int]] = []
    try:
        h.start_controller()
        base = f"http://127.0.0.1:{h.settings.web_port}"
        wait_for_catalogue(base)
        served = []
        for path in PAGES:
            status = status_of(base + path)
            (served.append(path) if status == 200 else missing.append((path, status)))
        for connections in (int(c) for c in args.connections.split(",")):
            for path in served:
                argv = ["wrk", f"-t{max(1, min(2, connections))}", f"-c{connections}",
                        f"-d{args.seconds}s", "--timeout", "10s", "-s", str(script),
                        "-H", "User-Agent: Mozilla/5.0 (bench)", base + path]  # fmt: skip
                out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
                results.append(Result(path, connections, *parse(out)))
    finally:
        h.close()
        shutil.rmtree(state, ignore_errors=True)
    print(f"wrk {args.seconds} s per run, no cookie; controller: cic serve (one process)")
    print(f"{'path':<52} {'conns':>5} {'req/s':>8} {'p95 ms':>8} {'vs file':>7} {'errors':>6}")
    static = {r.connections: r.rps for r in results if r.path == STATIC}
    for r in results:
        ratio = r.rps / static[r.connections] if static.get(r.connections) else float("nan")
        print(f"{r.path:<52} {r.connections:>5} {r.rps:>8.1f} {r.p95_ms:>8.2f} {ratio:>7.2f} "
              f"{r.errors:>6}")  # fmt: skip
    for path, status in missing:
        print(f"{path:<52} not served ({status})")


if __name__ == "__main__":
    main()
