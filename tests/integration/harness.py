"""A real Asterisk instance, the real controller (``cic serve``) and SIPp phones, for tests.

Each test session gets its own Asterisk instance (own ports, config and spool) in the shared
cached root, its own state directory and SQLite database.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from cic.asterisk import process
from cic.cli.api import request
from cic.cli.lifecycle import install
from cic.config import Settings, load_settings
from cic.db import Store
from cic.demo.runner import Sipp
from cic.demo.scenarios import AgentPhone, ResidentCall, agent_xml, resident_xml
from cic.errors import CommandError

REPO = Path(__file__).resolve().parents[2]
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ALWAYS_OPEN = "{" + ", ".join(f"{d}: ['00:00-24:00']" for d in DAYS) + "}"


def require_tools() -> None:
    """Skip (locally) or fail (under ``CI=true``) when SIPp, espeak-ng or sox is missing."""
    import pytest

    missing = [t for t in ("sipp", "espeak-ng", "sox") if not shutil.which(t)]
    if missing:
        message = f"integration tests need {', '.join(missing)} (bash bin/install-deps)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


def _block_free(start: int, size: int) -> bool:
    """True if no one holds a UDP or TCP port in ``start .. start + size - 1`` right now."""
    for port in range(start, start + size):
        for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
            with socket.socket(socket.AF_INET, kind) as sock:
                try:
                    sock.bind(("127.0.0.1", port))
                except OSError:
                    return False
    return True


_HANDED_OUT: set[int] = set()
PORT_BLOCK = 1300


def free_port() -> int:
    """A TCP and UDP port nobody listens on right now, never handed out before in this process.

    It comes from this process's own block below the kernel's ephemeral range (32768 and up),
    so neither an outgoing connection nor another pytest-xdist worker can take it between
    now and the moment the instance binds it (an ephemeral port once did: "address already
    in use"). Blocks: 10000 + 1300 per worker (gw0, gw1, ...), the last one without xdist;
    all below the RTP ranges (19700 and up).
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    index = int(worker[2:]) % 6 if worker.startswith("gw") else 6
    first = 10000 + index * PORT_BLOCK
    for port in random.sample(range(first, first + PORT_BLOCK), PORT_BLOCK):
        if port in _HANDED_OUT:
            continue
        with socket.socket() as tcp, socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            try:
                tcp.bind(("127.0.0.1", port))
                udp.bind(("127.0.0.1", port))
            except OSError:
                continue
        _HANDED_OUT.add(port)
        return port
    raise RuntimeError(f"no free port left in {first}..{first + PORT_BLOCK - 1}")


def instance_env(
    state_dir: Path, instance: str, rtp_start: int, rtp_ports: int = 1000
) -> dict[str, str]:
    """Settings of an instance of its own: state directory, name, free ports, an RTP range."""
    return {
        "CIC_STATE_DIR": str(state_dir),
        "CIC_ASTERISK__INSTANCE": instance,
        "CIC_ASTERISK__AMI_PORT": str(free_port()),
        "CIC_ASTERISK__AGI_PORT": str(free_port()),
        "CIC_ASTERISK__SIP_PORT": str(free_port()),
        "CIC_ASTERISK__HTTP_PORT": str(free_port()),
        "CIC_ASTERISK__RTP_START": str(rtp_start),
        "CIC_ASTERISK__RTP_END": str(rtp_start + rtp_ports - 1),
        "CIC_WEB_PORT": str(free_port()),
    }


@dataclass
class Harness:
    """Asterisk + controller + phones for one test session."""

    state_dir: Path
    env: dict[str, str]
    settings: Settings
    controller: subprocess.Popen[bytes] | None = None
    phones: list[Sipp] = field(default_factory=list)
    next_port: int = 0
    created: ClassVar[int] = 0

    @classmethod
    @contextmanager
    def running(cls, state_dir: Path, **overrides: str) -> Iterator[Harness]:
        """A harness of its own (tools checked, Asterisk and the controller started), closed
        afterwards: for a test module that needs other settings than the shared one."""
        require_tools()
        harness = cls.create(state_dir, **overrides)
        try:
            harness.start_controller()
            yield harness
        finally:
            harness.close()

    @classmethod
    def create(cls, state_dir: Path, **overrides: str) -> Harness:
        """Render and start a fresh Asterisk instance on free ports."""
        # Several harnesses can live at once (e2e and integration, pytest-xdist workers): each
        # gets its own instance name, RTP range and block of SIPp ports; workers start their
        # slots 7 apart.
        Harness.created += 1
        worker = os.environ.get("PYTEST_XDIST_WORKER", "")
        first = int(worker[2:]) * 7 if worker.startswith("gw") else os.getpid()
        slot = (first + Harness.created) % 20
        env = {
            **instance_env(state_dir, f"test-{os.getpid()}-{Harness.created}", 20000 + slot * 1000),
            "CIC_OFFICE__HOURS": ALWAYS_OPEN,
            "CIC_OFFICE__CLOSED_DAYS": "[]",
            "CIC_OFFICE__WRAPUP_SECONDS": "5",
            "CIC_OFFICE__HOLIDAYS_COUNTRY": "PL",
            # Every test signs in from 127.0.0.1 and many try wrong passwords on purpose: the
            # address back-off would slow the next test's first sign-in (test_sign_in_protection
            # checks the back-off on an app of its own).
            "CIC_AUTH__BACKOFF_AFTER": "100000",
            **overrides,
        }
        settings = load_settings(environ=env)
        layout = install(settings)
        process.start(layout, settings.asterisk.ami_port)
        return cls(state_dir, env, settings, next_port=30000 + slot * 1500)

    # --- the controller ---
    def start_controller(self, **overrides: str) -> None:
        """Run ``cic serve`` as a real process and wait until it is connected to Asterisk."""
        env = {**os.environ, **self.env, **overrides}
        log = (self.state_dir / "controller.log").open("ab")
        self.controller = subprocess.Popen(
            [sys.executable, "-m", "cic.cli", "serve"], env=env, stdout=log,
            stderr=subprocess.STDOUT, cwd=REPO, start_new_session=True,
        )  # fmt: skip
        self.wait_for(lambda: self._healthy(), 30, "controller connected to AMI")

    def stop_controller(self, sig: int = signal.SIGTERM) -> None:
        """Stop the controller (SIGKILL simulates a crash)."""
        if self.controller and self.controller.poll() is None:
            self.controller.send_signal(sig)
            self.controller.wait(timeout=15)
        self.controller = None

    def _healthy(self) -> bool:
        try:
            return bool(request(self.settings, "GET", "/api/status")["ami"]["connected"]) and bool(
                request(self.settings, "GET", "/api/status")["ami"]["resyncs"]
            )
        except CommandError:
            return False

    def api(self, method: str, path: str, body: Any = None) -> Any:
        """One request to the controller's JSON API."""
        return request(self.settings, method, path, body)

    def in_db(self, work: Callable[[Any], Any]) -> Any:
        """Run ``work(session)`` in one transaction on the controller's database (seeding
        what no API makes, such as users with a password); its result."""
        store = Store(self.settings.db_url)
        try:
            return store.run_sync(work)
        finally:
            store.engine.dispose()

    # --- phones ---
    def port(self) -> int:
        """A fresh SIP port for a SIPp phone (media uses the next ones); a block another
        process holds (a concurrent run whose slot overlaps) is skipped."""
        self.next_port += 10
        while not _block_free(self.next_port, 4):
            self.next_port += 10
        return self.next_port

    def agent(self, username: str, phone: AgentPhone | None = None, calls: int = 0) -> Sipp:
        """Create the agent (if new) with a fixed contact on a SIPp phone, and start the phone."""
        port = self.port()
        contact = f"sip:agent-{username}@127.0.0.1:{port}"
        existing = {a["username"]: a for a in self.api("GET", "/api/agents")}
        if username in existing:
            raise AssertionError(f"agent {username} exists; use a new name per test")
        self.api("POST", "/api/agents", {"username": username, "display_name": username.title(),
                                          "static_contact": contact})  # fmt: skip
        sipp = Sipp(
            agent_xml(phone or AgentPhone()), local_port=port, media_port=port + 2, calls=calls
        )
        self.phones.append(sipp.start())
        return sipp

    def specialist(
        self, username: str, queue: str, display_name: str = "", phone: AgentPhone | None = None
    ) -> Sipp:
        """A department specialist on a SIPp phone, member of ``queue`` only (made if missing,
        through the admin API), logged in."""
        if not any(q["name"] == queue for q in self.api("GET", "/api/admin/queues")):
            self.api("POST", "/api/admin/queues", {"name": queue, "title": "Finanse"})
        port = self.port()
        self.api("POST", "/api/admin/agents", {
            "username": username, "display_name": display_name or username.title(),
            "static_contact": f"sip:agent-{username}@127.0.0.1:{port}",
            "queues": [{"queue": queue, "penalty": 0}],
        })  # fmt: skip
        sipp = Sipp(agent_xml(phone or AgentPhone()), local_port=port, media_port=port + 2)
        self.phones.append(sipp.start())
        self.api("POST", f"/api/agents/{username}/login", {})
        return sipp

    def login(self, username: str, phone: AgentPhone | None = None, calls: int = 0) -> Sipp:
        """A new agent with a SIPp phone, logged in to the first-line queue."""
        sipp = self.agent(username, phone, calls)
        self.api("POST", f"/api/agents/{username}/login", {})
        return sipp

    def complete_call(
        self,
        resident: ResidentCall,
        done: Callable[[dict[str, Any]], bool] = lambda c: bool(c["ended_at"]),
        timeout: float = 20,
    ) -> dict[str, Any]:
        """Place a call, let the resident finish it, and return its record once ``done``."""
        before = self.call_ids()
        caller = self.call(resident)
        assert caller.wait(60) == 0, caller.errors()
        return self.wait_call(before, done, timeout)

    def call(self, resident: ResidentCall, service: str = "") -> Sipp:
        """Start a resident's call to the municipal number."""
        port = self.port()
        a = self.settings.asterisk
        sipp = Sipp(
            resident_xml(resident), local_port=port, media_port=port + 2,
            target=f"127.0.0.1:{a.sip_port}", service=service or self.settings.office.extension,
        )  # fmt: skip
        return sipp.start()

    def latest_call(self, since_ids: set[str]) -> dict[str, Any]:
        """The newest call not in ``since_ids``, with timeline and recordings."""
        rows = self.api("GET", "/api/calls?limit=20")
        new = [r for r in rows if r["call_id"] not in since_ids]
        if not new:
            raise AssertionError("no new call on record")
        return dict(self.api("GET", f"/api/calls/{new[0]['call_id']}"))

    def recording_files(self, call_id: str) -> list[Path]:
        """Every file in the instance's recordings directory named after ``call_id``."""
        from cic.asterisk import provision

        layout = provision.locate(self.settings)
        return list(layout.host(layout.recordings).rglob(f"{call_id}.wav"))

    def call_ids(self) -> set[str]:
        """Ids of the calls on record now."""
        return {r["call_id"] for r in self.api("GET", "/api/calls?limit=200")}

    def wait_call(
        self, since_ids: set[str], done: Callable[[dict[str, Any]], bool], timeout: float = 20
    ) -> dict[str, Any]:
        """Poll until the newest new call satisfies ``done``; returns it."""
        last: dict[str, Any] = {}

        def check() -> bool:
            nonlocal last
            try:
                last = self.latest_call(since_ids)
            except AssertionError:
                return False
            return done(last)

        self.wait_for(check, timeout, "call record", lambda: last)
        return last

    @staticmethod
    def wait_for(
        check: Callable[[], bool], timeout: float, what: str, detail: Callable[[], Any] = str
    ) -> None:
        """Poll ``check`` until true or fail after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if check():
                return
            time.sleep(0.3)
        raise AssertionError(f"timed out waiting for {what}: {detail()}")

    def close(self) -> None:
        """Stop phones, controller and Asterisk."""
        for phone in self.phones:
            phone.stop()
        self.stop_controller()
        from cic.asterisk import provision

        process.stop(provision.locate(self.settings))
