"""Requests per second of the web console's pages and APIs under ``wrk``, signed in.

    PYTHONPATH=. python bench/web_rps.py [--seconds 8] [--connections 1,50]

Starts a real Asterisk instance and the real controller (``cic serve``) the way
``bench/call_setup.py`` does (the test harness), adds an agent, an agent's console account and a
supervisor's, and 60 calls with wrap-ups on record. Then ``wrk`` (Debian package ``wrk``) loads
each URL with the session cookie of the right account, once per number of connections, and the
table shows requests per second and wrk's p50/p99 latency. Figures only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.client import HTTPConnection
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit
from urllib.request import HTTPCookieProcessor, Request, build_opener

from cic.auth import users
from cic.calls.models import Call, CallWrapup
from cic.config import AuthSettings
from cic.db import Store
from tests.integration.harness import Harness

PASSWORD = "haslo-benchmarku-1"
AGENT = "bench-agent"
TARGETS = (
    ("/konsola", "agent"),
    ("/api/wallboard", "supervisor"),
    ("/api/agents", "supervisor"),
    ("/api/calls?limit=50", "supervisor"),
    ("/healthz", "supervisor"),
)
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


@dataclass
class Result:
    """What one wrk run reported."""

    path: str
    connections: int
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int


def parse_wrk(output: str) -> tuple[float, float, float, int, int]:
    """(requests/s, p50 ms, p99 ms, requests, errors) from the output of ``wrk --latency``.

    Errors are non-2xx/3xx responses plus socket errors.
    """

    def latency(percent: str) -> float:
        found = re.search(rf"^\s*{percent}%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M)
        return float(found.group(1)) * UNITS[found.group(2)] if found else float("nan")

    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    total = re.search(r"(\d+) requests in", output)
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses:\s+(\d+)", output))
    socket = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    if socket:
        errors += sum(int(n) for n in socket.groups())
    return (
        float(rps.group(1)) if rps else 0.0,
        latency("50"),
        latency("99"),
        int(total.group(1)) if total else 0,
        errors,
    )


def seed(h: Harness, calls: int = 60) -> None:
    """The agent, the two console accounts and ``calls`` answered calls with wrap-ups."""
    h.api("POST", "/api/agents", {"username": AGENT, "display_name": "Agentka Benchmarku"})
    now = datetime.now(UTC)

    def write(db: Any) -> None:
        users.add(db, "bench-konsultant", "Konsultantka Benchmarku", "agent", PASSWORD,
                  agent_username=AGENT, now=now)  # fmt: skip
        users.add(db, "bench-kierownik", "Kierownik Benchmarku", "supervisor", PASSWORD, now=now)
        for n in range(calls):
            start = now - timedelta(minutes=5 * (n + 1))
            call_id = f"bench-{n}"
            db.add(Call(
                call_id=call_id, caller_number=f"48500{n:06d}", caller_name="Mieszkaniec",
                dialled="1000", entered_at=start, queued_at=start + timedelta(seconds=8),
                answered_at=start + timedelta(seconds=20), ended_at=start + timedelta(minutes=3),
                queue="pierwsza-linia", agent=f"PJSIP/agent-{AGENT}", outcome="answered",
                wait_seconds=12.0, talk_seconds=160.0, routing_reason="first_line",
            ))  # fmt: skip
            db.add(CallWrapup(
                call_id=call_id, agent=f"PJSIP/agent-{AGENT}", outcome="udzielono informacji",
                topic="podatek od nieruchomości", note="Zażółć gęślą jaźń.", saved_by="bench",
                saved_at=start + timedelta(minutes=4),
            ))  # fmt: skip

    store = Store(h.settings.db_url)
    try:
        store.run_sync(write)
    finally:
        store.engine.dispose()


def session_cookie(base: str, username: str, cookie_name: str) -> str:
    """Sign in through the form; the value of the session cookie."""
    jar = CookieJar()
    opener = build_opener(HTTPCookieProcessor(jar))
    form = urlencode({"username": username, "password": PASSWORD}).encode()
    request = Request(f"{base}/logowanie", data=form, headers={"Origin": base}, method="POST")
    with opener.open(request) as response:  # follows the 303 to the role's home page
        response.read()
    for cookie in jar:
        if cookie.name == cookie_name:
            return str(cookie.value)
    raise RuntimeError(f"sign-in of {username} set no {cookie_name} cookie")


def status_of(url: str, cookie: str) -> int:
    """The HTTP status of one GET with ``cookie`` (redirects not followed)."""
    parts = urlsplit(url)
    conn = HTTPConnection(parts.hostname or "127.0.0.1", parts.port or 80, timeout=10)
    try:
        conn.request("GET", f"{parts.path}?{parts.query}" if parts.query else parts.path,
                     headers={"Cookie": cookie})  # fmt: skip
        return conn.getresponse().status
    finally:
        conn.close()


def run_wrk(url: str, cookie: str, connections: int, seconds: int) -> str:
    """One wrk run; its text output."""
    threads = max(1, min(2, connections))
    argv = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency",
            "--timeout", "10s", "-H", f"Cookie: {cookie}", url]  # fmt: skip
    return subprocess.run(argv, capture_output=True, text=True, check=True).stdout


def main() -> None:
    """Start everything, load each URL, print the table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=8, help="wrk duration per run")
    parser.add_argument("--connections", default="1,50", help="comma-separated counts")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    state = Path(tempfile.mkdtemp(prefix="cic-bench-web-"))
    h = Harness.create(state, CIC_OFFICE__RECORDING_POLICY="never")
    results: list[Result] = []
    try:
        h.start_controller()
        seed(h)
        base = f"http://127.0.0.1:{h.settings.web_port}"
        name = AuthSettings().cookie_name
        cookies = {
            "agent": f"{name}={session_cookie(base, 'bench-konsultant', name)}",
            "supervisor": f"{name}={session_cookie(base, 'bench-kierownik', name)}",
        }
        for path, role in TARGETS:  # a redirect to the sign-in page would count as success
            status = status_of(f"{base}{path}", cookies[role])
            if status != 200:
                raise SystemExit(f"GET {path} as {role} answered {status}, not 200")
        for connections in (int(c) for c in args.connections.split(",")):
            for path, role in TARGETS:
                out = run_wrk(f"{base}{path}", cookies[role], connections, args.seconds)
                rps, p50, p99, total, errors = parse_wrk(out)
                results.append(Result(path, connections, rps, p50, p99, total, errors))
    finally:
        h.close()
        shutil.rmtree(state, ignore_errors=True)
    print(f"wrk {args.seconds} s per run, session cookie; controller: cic serve (one process)")
    print(f"{'path':<22} {'conns':>5} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} "
          f"{'requests':>9} {'errors':>7}")  # fmt: skip
    for r in results:
        print(f"{r.path:<22} {r.connections:>5} {r.rps:>9.1f} {r.p50_ms:>8.2f} {r.p99_ms:>8.2f} "
              f"{r.requests:>9} {r.errors:>7}")  # fmt: skip


if __name__ == "__main__":
    main()
