"""One Asterisk node of the failover test: its instance in the cached root, run inside its
network namespace, and its controller (``cic serve``) on the host following it over the
bridge; settings with ``ha.node`` = ``node-<name>``, the shared PostgreSQL and Redis."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cic.asterisk import accounts, ownership, process, provision
from cic.cli.api import request
from cic.cli.lifecycle import install
from cic.config import Settings, load_settings
from cic.credentials import Credentials
from cic.errors import CommandError
from tests.deploy.hanet import AMI_PORT, KAMAILIO, NODES, SIP_PORT, HaNet, free_host_port
from tests.integration.harness import ALWAYS_OPEN, REPO, Harness

wait_for = Harness.wait_for  # poll until true, else fail naming what was awaited


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
