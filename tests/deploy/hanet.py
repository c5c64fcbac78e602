"""Network namespaces for the failover test: Kamailio and two Asterisk nodes on a bridge.

The host keeps ``10.231.<n>.1`` on the bridge (the controllers, SIPp residents and phones,
PostgreSQL and Redis on its loopback); Kamailio is ``.10`` in namespace ``cicha-<id>-kam``,
node A ``.11`` in ``cicha-<id>-a``, node B ``.12`` in ``cicha-<id>-b`` (the nodes and
their controllers: ``ha_node.py``). Everything made
here is removed by :meth:`HaNet.close` (namespaces, their veth pairs and the bridge), also
after a failure; namespaces left by a crashed run of this module are removed on the next.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

PREFIX = "cicha-"
HOST_PORTS = range(31500, 32500)
NODES = {"a": 11, "b": 12}
KAMAILIO = 10
SIP_PORT = 5060
AMI_PORT = 5038


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
