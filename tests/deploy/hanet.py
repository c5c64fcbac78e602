"""Network namespaces for the failover test: Kamailio and two Asterisk nodes on a bridge.

The host keeps ``10.231.<n>.1`` on the bridge (the controllers, SIPp residents and phones,
PostgreSQL and Redis on its loopback); Kamailio is ``.10`` in namespace ``cicha-<id>-kam``,
node A ``.11`` in ``cicha-<id>-a``, node B ``.12`` in ``cicha-<id>-b``. Everything made
here is removed by :meth:`HaNet.close` (namespaces, their veth pairs and the bridge), also
after a failure; namespaces left by a crashed run of this module are removed on the next.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cic.asterisk import accounts, ownership, process, provision
from cic.cli.api import request
from cic.cli.lifecycle import install
from cic.config import Settings, load_settings
from cic.credentials import Credentials
from cic.errors import CommandError
from tests.integration.harness import Harness

REPO = Path(__file__).resolve().parents[2]
wait_for = Harness.wait_for  # poll until true, else fail naming what was awaited
PREFIX = "cicha-"
HOST_PORTS = range(31500, 32500)
NODES = {"a": 11, "b": 12}
KAMAILIO = 10
SIP_PORT = 5060
AMI_PORT = 5038
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ALWAYS_OPEN = "{" + ", ".join(f"{d}: ['00:00-24:00']" for d in DAYS) + "}"


def missing_tools() -> list[str]:
    """What this machine lacks for the test (root, ip, kamailio, sipp, the Asterisk root)."""
    missing = [t for t in ("ip", "kamailio", "sipp", "espeak-ng", "sox") if not shutil.which(t)]
    if os.geteuid() != 0:
        missing.append("root (network namespaces)")
    return missing


def run(*argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run a command; raise with its error output when ``check`` and it fails."""
    result = subprocess.run(list(argv), capture_output=True, text=True, check=False)
    if check and result.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)}: {result.stderr.strip()}")
    return result


def remove_stale() -> None:
    """Remove namespaces and bridges of earlier runs of this module whose process is gone."""
    for line in run("ip", "netns", "list").stdout.splitlines():
        name = line.split()[0] if line.strip() else ""
        if name.startswith(PREFIX) and not _owner_alive(name):
            run("ip", "netns", "delete", name, check=False)
    for line in run("ip", "-br", "link").stdout.splitlines():
        name = line.split()[0].split("@")[0] if line.strip() else ""
        if name.startswith("cichabr") and not _owner_alive(name):
            run("ip", "link", "delete", name, check=False)


def _owner_alive(name: str) -> bool:
    marker = Path("/run/cicha") / name
    try:
        pid = int(marker.read_text())
        os.kill(pid, 0)
    except (OSError, ValueError):
        marker.unlink(missing_ok=True)
        return False
    return True


def _mark(name: str) -> None:
    Path("/run/cicha").mkdir(exist_ok=True)
    (Path("/run/cicha") / name).write_text(str(os.getpid()))


def free_host_port(taken: set[int]) -> int:
    """A port of this test's host range that nobody holds (TCP and UDP on any address)."""
    for port in HOST_PORTS:
        if port in taken:
            continue
        with socket.socket() as tcp, socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            try:
                tcp.bind(("0.0.0.0", port))
                udp.bind(("0.0.0.0", port))
            except OSError:
                continue
        taken.add(port)
        return port
    raise RuntimeError("no free port in 31500-32499")


@dataclass
class HaNet:
    """The bridge and the three namespaces of one run."""

    run_id: str
    subnet: int
    made: list[str] = field(default_factory=list)

    @classmethod
    @contextmanager
    def up(cls) -> Iterator[HaNet]:
        """Make the network; remove it afterwards whatever happens."""
        remove_stale()
        net = cls(secrets.token_hex(2), 1 + os.getpid() % 250)
        try:
            net._build()
            yield net
        finally:
            net.close()

    def address(self, last: int) -> str:
        """``10.231.<subnet>.<last>``."""
        return f"10.231.{self.subnet}.{last}"

    @property
    def host(self) -> str:
        """The host's own address on the bridge."""
        return self.address(1)

    @property
    def bridge(self) -> str:
        """The bridge's name (at most 15 characters)."""
        return f"cichabr{self.run_id}"

    def ns(self, role: str) -> str:
        """The namespace of ``role`` (``kam``, ``a``, ``b``)."""
        return f"{PREFIX}{self.run_id}-{role}"

    def _build(self) -> None:
        _mark(self.bridge)
        run("ip", "link", "add", self.bridge, "type", "bridge")
        self.made.append(f"link:{self.bridge}")
        run("ip", "addr", "add", f"{self.host}/24", "dev", self.bridge)
        run("ip", "link", "set", self.bridge, "up")
        for role, last in (("kam", KAMAILIO), *NODES.items()):
            ns = self.ns(role)
            _mark(ns)
            run("ip", "netns", "add", ns)
            self.made.append(f"netns:{ns}")
            outer = f"cicha{self.run_id}{role}"
            run("ip", "link", "add", outer, "type", "veth", "peer", "name", "eth0", "netns", ns)
            run("ip", "link", "set", outer, "master", self.bridge)
            run("ip", "link", "set", outer, "up")
            self.exec(role, "ip", "addr", "add", f"{self.address(last)}/24", "dev", "eth0")
            self.exec(role, "ip", "link", "set", "eth0", "up")
            self.exec(role, "ip", "link", "set", "lo", "up")

    def exec(self, role: str, *argv: str) -> subprocess.CompletedProcess[str]:
        """Run a command inside the namespace of ``role``."""
        return run("ip", "netns", "exec", self.ns(role), *argv)

    def close(self) -> None:
        """Delete the namespaces (with their veth pairs) and the bridge."""
        for item in reversed(self.made):
            kind, _, name = item.partition(":")
            if kind == "netns":
                run("ip", "netns", "delete", name, check=False)
            else:
                run("ip", "link", "delete", name, check=False)
            (Path("/run/cicha") / name).unlink(missing_ok=True)
        self.made.clear()


@dataclass
class Node:
    """One Asterisk node in its namespace and its controller on the host."""

    net: HaNet
    name: str
    settings: Settings
    env: dict[str, str]
    asterisk: subprocess.Popen[bytes] | None = None
    controller: subprocess.Popen[bytes] | None = None

    @classmethod
    def create(
        cls, net: HaNet, name: str, state_dir: Path, database_url: str, redis_url: str,
        ports: set[int],
    ) -> Node:  # fmt: skip
        """Settings of node ``name`` (``ha.node`` = ``name``), its instance rendered."""
        address = net.address(NODES[name])
        env = {
            "CIC_STATE_DIR": str(state_dir),
            "CIC_DATABASE_URL": database_url,
            "CIC_REDIS_URL": redis_url,
            "CIC_HA__NODE": f"node-{name}",
            "CIC_HA__NODE_LOST_SECONDS": "5",
            "CIC_ASTERISK__INSTANCE": f"cicha-{net.run_id}-{name}",
            "CIC_ASTERISK__SIP_HOST": address,
            "CIC_ASTERISK__SIP_PORT": str(SIP_PORT),
            "CIC_ASTERISK__AMI_HOST": address,
            "CIC_ASTERISK__AMI_PORT": str(AMI_PORT),
            "CIC_ASTERISK__AGI_HOST": net.host,
            "CIC_ASTERISK__AGI_PORT": str(free_host_port(ports)),
            "CIC_ASTERISK__HTTP_PORT": "8088",
            "CIC_ASTERISK__RTP_START": "20000",
            "CIC_ASTERISK__RTP_END": "20999",
            "CIC_ASTERISK__TRUNK_MATCH": f"['{net.address(KAMAILIO)}']",
            "CIC_WEB_PORT": str(free_host_port(ports)),
            "CIC_OFFICE__HOURS": ALWAYS_OPEN,
            "CIC_OFFICE__CLOSED_DAYS": "[]",
            "CIC_OFFICE__WRAPUP_SECONDS": "2",
            "CIC_SPEECH__ENABLED": "false",
            "CIC_AUTH__BACKOFF_AFTER": "100000",
        }
        return cls(net, name, load_settings(environ=env), env)

    @property
    def address(self) -> str:
        """The node's address in its namespace."""
        return self.net.address(NODES[self.name])

    @property
    def layout(self) -> provision.Layout:
        """Where the instance lives in the cached root."""
        return provision.locate(self.settings)

    def install(self) -> None:
        """Render the node's configuration (agents from the shared database) and prompts."""
        Path(self.settings.state_dir).mkdir(parents=True, exist_ok=True)
        install(self.settings)

    def start_asterisk(self, timeout: float = 60) -> None:
        """Start Asterisk inside the node's namespace; wait until it is fully booted."""
        layout = self.layout
        for sub in ("run", "log", "lib", "spool"):
            layout.host(f"{layout.inst}/{sub}").mkdir(parents=True, exist_ok=True)
        run_as: list[str] = []
        ids = accounts.ensure(layout.root)
        if ids is not None:
            ownership.prepare(layout, ids)
            run_as = ["-U", accounts.ASTERISK_USER, "-G", accounts.SHARED_GROUP]
        log = layout.host(f"{layout.inst}/log/console.log").open("ab")
        argv = ["ip", "netns", "exec", self.net.ns(self.name), *layout.command("-f", *run_as)]
        self.asterisk = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True, umask=process.UMASK,
        )  # fmt: skip
        wait_for(lambda: _port_open(self.address, AMI_PORT), timeout, f"AMI of node {self.name}")
        process.rx(layout, "core waitfullybooted", timeout=timeout)

    def kill_asterisk(self) -> None:
        """kill -9 the node's Asterisk (a crash: no hang-ups, no goodbye)."""
        if self.asterisk and self.asterisk.poll() is None:
            os.killpg(self.asterisk.pid, signal.SIGKILL)
            self.asterisk.wait(timeout=10)

    def rx(self, command: str) -> str:
        """One Asterisk CLI command on this node."""
        return process.rx(self.layout, command)

    def start_controller(self) -> None:
        """``cic serve`` for this node on the host; wait until it follows the node's AMI."""
        env = {**os.environ, **self.env}
        log = (Path(self.settings.state_dir) / "controller.log").open("ab")
        self.controller = subprocess.Popen(
            [sys.executable, "-m", "cic.cli", "serve"], env=env, stdout=log,
            stderr=subprocess.STDOUT, cwd=REPO, start_new_session=True,
        )  # fmt: skip
        wait_for(self._synced, 60, f"controller of node {self.name} connected to AMI")

    def _synced(self) -> bool:
        try:
            status = self.api("GET", "/api/status")["ami"]
        except CommandError:
            return False
        return bool(status["connected"]) and bool(status["resyncs"])

    def api(self, method: str, path: str, body: Any = None) -> Any:
        """One request to this node's controller."""
        return request(self.settings, method, path, body)

    def close(self) -> None:
        """Stop the controller and Asterisk (whatever is left of them)."""
        if self.controller and self.controller.poll() is None:
            self.controller.send_signal(signal.SIGTERM)
            try:
                self.controller.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.controller.pid, signal.SIGKILL)
        self.kill_asterisk()


def share_secrets(source: Node, target: Node) -> None:
    """Give ``target`` the same generated secrets as ``source`` (the agents' SIP passwords,
    derived from the file's key, must be the same on every node)."""
    Credentials(source.settings.secrets_path).sip_password("agent-any")  # makes the key
    Path(target.settings.state_dir).mkdir(parents=True, exist_ok=True)
    shutil.copy2(source.settings.secrets_path, target.settings.secrets_path)


def _port_open(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.3)
        return sock.connect_ex((host, port)) == 0
