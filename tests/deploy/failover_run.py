"""One failover run: Kamailio, nodes A and B with a controller each (shared PostgreSQL and
Redis), residents calling at a steady rate and an agent's phone registering, all through
Kamailio; node A's Asterisk is killed with SIGKILL in the middle. Used by
``tests/deploy/test_failover.py`` (which checks the outcome) and ``bench/failover.py``
(which prints the figures).
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg

from cic.config import load_settings
from cic.credentials import Credentials
from cic.deploy import kamailio
from tests.deploy import ha_sipp
from tests.deploy.ha_node import Node, share_secrets
from tests.deploy.ha_node import wait_for as wait_until
from tests.deploy.hanet import KAMAILIO, SIP_PORT, HaNet, free_host_port

AGENT = "ha-anna"
ENDPOINT = f"agent-{AGENT}"


@dataclass
class FailoverResult:
    """What happened, from SIPp's side and from the shared database."""

    offered: int
    answers: list[ha_sipp.Answer]
    node_addresses: dict[str, str]
    killed_at: float
    records: list[dict[str, Any]]
    agent_on_a_before: bool
    agent_on_b_after: bool
    agent_reregistered_after: float | None
    member_on_b_before_kill: bool
    resident_exit: int | None
    workdir: Path
    log: list[str] = field(default_factory=list)

    def answered_by(self, node: str) -> list[ha_sipp.Answer]:
        """Answers from ``node`` (``a`` or ``b``)."""
        return [a for a in self.answers if a.node_address == self.node_addresses[node]]

    @property
    def first_b_answer_after_kill(self) -> float | None:
        """Seconds from the kill to the first call node B answered."""
        later = [a.at for a in self.answered_by("b") if a.at >= self.killed_at]
        return min(later) - self.killed_at if later else None

    @property
    def slowest_setup_after_kill(self) -> float | None:
        """The longest INVITE-to-answer time of the calls offered after the kill (those
        that first went to dead node A wait for Kamailio's INVITE timeout)."""
        later = [a.at - a.offered_at for a in self.answers if a.offered_at >= self.killed_at]
        return max(later) if later else None

    @property
    def in_flight_on_a(self) -> int:
        """Calls A answered that were still going at the kill (their records of A)."""
        return sum(
            1
            for r in self.records
            if r["call_id"].startswith("node-a-") and r["end_cause"] == "asterisk node lost"
        )


@contextmanager
def cluster(
    workdir: Path, database_url: str, redis_url: str
) -> Iterator[tuple[HaNet, Node, Node, subprocess.Popen[bytes]]]:
    """The network, both nodes with controllers, and Kamailio in front; all stopped after."""
    with ExitStack() as stack:
        net = stack.enter_context(HaNet.up())
        ports: set[int] = set()
        a = Node.create(net, "a", workdir / "node-a", database_url, redis_url, ports)
        b = Node.create(net, "b", workdir / "node-b", database_url, redis_url, ports)
        for node in (a, b):
            stack.callback(_remove_instance, node)
            stack.callback(node.close)
        a.install()
        share_secrets(a, b)  # once, at set-up: SIP passwords derive from the copied key
        b.install()
        for node in (a, b):
            node.start_asterisk()
            node.start_controller()
        # added and logged in through A's controller: B's controller follows the database
        a.api("POST", "/api/agents", {"username": AGENT, "display_name": "Anna"})
        a.api("POST", f"/api/agents/{AGENT}/login", {})
        proxy = _start_kamailio(net, workdir / "kamailio")
        stack.callback(_stop, proxy)
        yield net, a, b, proxy


def _start_kamailio(net: HaNet, directory: Path) -> subprocess.Popen[bytes]:
    settings = load_settings(environ={
        "CIC_HA__LISTEN": f"{net.address(KAMAILIO)}:{SIP_PORT}",
        "CIC_HA__NODES": f"['{net.address(11)}:{SIP_PORT}', '{net.address(12)}:{SIP_PORT}']",
        "CIC_HA__PROBE_SECONDS": "1",
    })  # fmt: skip
    files = kamailio.write(kamailio.KamailioConfig.from_settings(settings, directory))
    kamailio.check(files[0])
    log = (directory / "kamailio.log").open("ab")
    argv = ["ip", "netns", "exec", net.ns("kam"), "kamailio", "-f", str(files[0]), "-DD", "-E",
            "-m", "64", "-M", "8", "-P", str(directory / "kamailio.pid")]  # fmt: skip
    return subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def _remove_instance(node: Node) -> None:
    layout = node.layout
    if layout.chrooted and node.settings.asterisk.instance.startswith("cicha-"):
        shutil.rmtree(layout.host(layout.inst), ignore_errors=True)


def registered(node: Node, endpoint: str = ENDPOINT) -> bool:
    """True when ``endpoint`` has a contact on ``node``."""
    try:
        return f"{endpoint}/" in node.rx(f"pjsip show aor {endpoint}")
    except Exception:
        return False


def member(node: Node, endpoint: str = ENDPOINT) -> bool:
    """True when ``endpoint`` is a member of the first-line queue on ``node``."""
    queue = node.settings.office.first_line_queue
    return f"PJSIP/{endpoint}" in node.rx(f"queue show {queue}")


def records(database_url: str) -> list[dict[str, Any]]:
    """Every call record in the shared database."""
    columns = "call_id, caller_number, entered_at, answered_at, ended_at, outcome, end_cause"
    with psycopg.connect(database_url) as conn:
        cur = conn.execute(f"SELECT {columns} FROM calls ORDER BY id")
        names = [c.name for c in cur.description or ()]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def run_failover(
    workdir: Path, database_url: str, redis_url: str, *, rate: float = 2.0,
    before_seconds: float = 8.0, after_seconds: float = 12.0, hold_seconds: int = 4,
) -> FailoverResult:  # fmt: skip
    """Calls at ``rate`` per second through Kamailio; node A killed after ``before_seconds``,
    calls go on for ``after_seconds``; then everything is collected."""
    log: list[str] = []
    with cluster(workdir, database_url, redis_url) as (net, a, b, _proxy):
        kam = f"{net.address(KAMAILIO)}:{SIP_PORT}"
        ports: set[int] = {int(a.env["CIC_WEB_PORT"]), int(b.env["CIC_WEB_PORT"])}
        password = Credentials(a.settings.secrets_path).sip_password(ENDPOINT)
        phone = ha_sipp.SippRun(
            "phone", ha_sipp.register_xml(ENDPOINT, password), workdir / "sipp", net.host,
            free_host_port(ports), kam, ENDPOINT, calls=1000, rate=1, period_ms=2000,
        ).start()  # fmt: skip
        try:
            wait_until(lambda: registered(a), 20, "the agent's phone registered on node A")
            on_a = registered(a) and not registered(b)
            member_on_b = _seconds_until(lambda: member(b), time.time(), 15) is not None
            offered = int(rate * (before_seconds + after_seconds))
            port = free_host_port(ports)
            for spare in range(1, 4):
                ports.add(port + spare)
            residents = ha_sipp.SippRun(
                "residents", ha_sipp.resident_xml(hold_seconds), workdir / "sipp", net.host,
                port, kam, a.settings.office.extension, calls=offered, rate=rate,
            ).start()  # fmt: skip
            try:
                time.sleep(before_seconds)
                killed_at = time.time()
                a.kill_asterisk()
                log.append(f"node A killed at {datetime.fromtimestamp(killed_at).isoformat()}")
                reregistered = _seconds_until(lambda: registered(b), killed_at, 30)
                exit_code = residents.wait(after_seconds + hold_seconds + 40)
            finally:
                residents.stop()
        finally:
            phone.stop()
        lost_after = a.settings.ha.node_lost_seconds
        # the controller of A closes its calls once A has been unreachable long enough
        _seconds_until(
            lambda: all(r["ended_at"] for r in records(database_url)), time.time(), lost_after + 30
        )
        return FailoverResult(
            offered=offered,
            answers=ha_sipp.answers(residents.message_log),
            node_addresses={"a": a.address, "b": b.address},
            killed_at=killed_at,
            records=records(database_url),
            agent_on_a_before=on_a,
            agent_on_b_after=reregistered is not None,
            agent_reregistered_after=reregistered,
            member_on_b_before_kill=member_on_b,
            resident_exit=exit_code,
            workdir=workdir,
            log=log,
        )


def _seconds_until(check: Any, since: float, timeout: float) -> float | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return time.time() - since
        time.sleep(0.2)
    return None
