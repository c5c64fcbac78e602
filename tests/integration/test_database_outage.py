"""PostgreSQL stopped during calls: calls are still answered and routed, their records are kept
on the controller's disk, survive a controller restart, and are written when the database is
back, none twice.

The test runs a PostgreSQL server of its own (initdb into a temporary folder, a free port), so
stopping it disturbs nothing else; the controller is the real ``cic serve`` with a real
Asterisk and SIPp phones.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cic.demo.scenarios import AgentPhone, ResidentCall
from tests.conftest import unavailable
from tests.integration.harness import Harness, free_port


class OwnPostgres:
    """A throwaway PostgreSQL cluster run as the ``postgres`` user on ``port``."""

    def __init__(self, folder: Path, port: int) -> None:
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
        if not bins or os.geteuid() != 0:
            unavailable("needs PostgreSQL's server binaries and root (to run them as postgres)")
        self.bin = Path(bins[-1])
        self.data = folder / "pgdata"
        self.port = port
        self.log = folder / "postgres.log"
        folder.mkdir(parents=True, exist_ok=True)
        user = pwd.getpwnam("postgres")
        os.chown(folder, user.pw_uid, user.pw_gid)
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")

    def _run(self, tool: str, *args: str) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", str(self.bin / tool), *args],
                       check=True, capture_output=True)  # fmt: skip

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        options = f"-p {self.port} -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w",
                  "start")  # fmt: skip

    def stop(self) -> None:
        """Stop it at once (clients see their connections refused)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    @property
    def url(self) -> str:
        """The database URL of the cluster's ``postgres`` database."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"


@contextlib.contextmanager
def own_postgres() -> Iterator[OwnPostgres]:
    """A running throwaway cluster, stopped and removed afterwards (in a folder of its own
    under /tmp: the postgres user cannot enter pytest's private temporary folders)."""
    folder = Path(tempfile.mkdtemp(prefix="cic-pg-"))
    pg = OwnPostgres(folder, free_port())
    pg.start()
    try:
        yield pg
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            pg.stop()
        shutil.rmtree(folder, ignore_errors=True)


def _types(call: dict[str, Any]) -> list[str]:
    return [e["type"] for e in call["timeline"]]


def test_calls_go_on_and_their_records_survive_a_dead_database(tmp_path: Path) -> None:
    with own_postgres() as pg:
        h = Harness.create(tmp_path / "state", CIC_DATABASE_URL=pg.url,
                           CIC_OFFICE__RECORDING_POLICY="never")  # fmt: skip
        try:
            h.start_controller()
            h.login("bezbazy", AgentPhone(ring_ms=800), calls=3)
            first = h.complete_call(ResidentCall(number="48500100671", hangup_after_ms=12000),
                                    lambda c: bool(c["ended_at"]), 30)  # fmt: skip
            assert first["outcome"] == "answered"

            pg.stop()  # the database dies during office hours
            caller = h.call(ResidentCall(number="48500100672", hangup_after_ms=12000))
            assert caller.wait(60) == 0, caller.errors()  # answered by the agent all the same
            spool = h.state_dir / "spool" / "calls.jsonl"
            h.wait_for(lambda: spool.exists() and b"CallEnded" in spool.read_bytes(), 20,
                       "the call's records kept on disk")  # fmt: skip
            assert b"CallAnswered" in spool.read_bytes()
            h.stop_controller(signal.SIGKILL)  # and the controller is killed meanwhile

            pg.start()
            h.start_controller()
            calls = {c["caller_number"]: c for c in h.api("GET", "/api/calls?limit=20")}
            second = h.api("GET", f"/api/calls/{calls['48500100672']['call_id']}")
            assert second["outcome"] == "answered" and second["ended_at"]
            assert second["agent"] == "PJSIP/agent-bezbazy"
            types = _types(second)
            for kind in ("CallEntered", "CallRouted", "CallQueued", "CallAnswered", "CallEnded"):
                assert types.count(kind) == 1, (kind, types)  # written, and written once
            assert second["routing_action"] == "queue"  # routed by the controller, not fallback
            assert spool.read_bytes() == b""
            assert len(calls) == 2
        finally:
            h.close()


def test_the_controller_starts_while_the_database_is_down(tmp_path: Path) -> None:
    """Restarted during the outage, the controller comes up without its database: calls are
    routed and their records kept on disk after the ones the previous process kept; when the
    database is back it opens it, and every record is written once, in order."""
    with own_postgres() as pg:
        h = Harness.create(tmp_path / "state", CIC_DATABASE_URL=pg.url,
                           CIC_OFFICE__RECORDING_POLICY="never")  # fmt: skip
        try:
            h.start_controller()
            h.login("bezbazy2", AgentPhone(ring_ms=800), calls=4)
            h.complete_call(ResidentCall(number="48500100673", hangup_after_ms=12000),
                            lambda c: bool(c["ended_at"]), 30)  # fmt: skip

            pg.stop()
            caller = h.call(ResidentCall(number="48500100674", hangup_after_ms=12000))
            assert caller.wait(60) == 0, caller.errors()
            spool = h.state_dir / "spool" / "calls.jsonl"
            h.wait_for(lambda: spool.exists() and b"CallEnded" in spool.read_bytes(), 20,
                       "the call's records kept on disk")  # fmt: skip
            h.stop_controller(signal.SIGKILL)

            h.start_controller()  # the database is still down: it starts all the same
            status = h.api("GET", "/api/status")
            assert status["database"]["ready"] is False and status["database"]["waiting_since"]
            assert _task(status, "cic-database-wait")["status"] == "running"
            caller = h.call(ResidentCall(number="48500100675", hangup_after_ms=12000))
            assert caller.wait(60) == 0, caller.errors()  # answered, routed by the controller
            h.wait_for(lambda: spool.read_bytes().count(b"CallEnded") == 2, 20,
                       "the new call's records kept after the earlier ones")  # fmt: skip

            pg.start()
            h.wait_for(lambda: h.api("GET", "/api/status")["database"]["ready"], 60,
                       "the database opened")  # fmt: skip
            h.wait_for(lambda: spool.read_bytes() == b"", 30, "the kept records written")
            waited = _task(h.api("GET", "/api/status"), "cic-database-wait")
            assert waited["status"] == "finished" and waited["failures"] == 0, waited
            calls = {c["caller_number"]: c for c in h.api("GET", "/api/calls?limit=20")}
            assert set(calls) == {"48500100673", "48500100674", "48500100675"}
            for number, reason in (("48500100674", "first_line"),
                                   ("48500100675", "history_unavailable")):  # fmt: skip
                call = h.api("GET", f"/api/calls/{calls[number]['call_id']}")
                assert call["outcome"] == "answered" and call["ended_at"], call
                assert call["routing_reason"] == reason and not call["fallback"], call
                types = _types(call)
                for kind in ("CallEntered", "CallRouted", "CallQueued", "CallAnswered",
                             "CallEnded"):  # fmt: skip
                    assert types.count(kind) == 1, (number, kind, types)
            h.wait_for(lambda: any(a["username"] == "bezbazy2"
                                   for a in h.api("GET", "/api/status")["agents"]), 20,
                       "the agents loaded late")  # fmt: skip
        finally:
            h.close()


def _task(status: dict[str, Any], name: str) -> dict[str, Any]:
    """The supervised background task ``name`` as ``/api/status`` shows it."""
    return next(t for t in status["background_tasks"] if t["name"] == name)
