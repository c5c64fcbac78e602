"""Caddy in front of a harness, the production way: ``cic proxy config --check`` writes the
Caddyfile, Caddy runs it with certificates from the test's CA. Ports come from the TLS tests'
block (30800-30999), the first free ones."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.integration.harness import Harness
from tests.integration.tls_ca import TlsFiles

BLOCK = range(30800, 31000)


@dataclass(frozen=True)
class TlsPorts:
    """HTTPS and plain HTTP of the proxy, SIP over TLS of Asterisk."""

    https: int
    http: int
    sip: int

    @property
    def public(self) -> str:
        """The console's public address."""
        return f"https://localhost:{self.https}"


def listening(port: int) -> bool:
    """True when something accepts TCP connections on 127.0.0.1:``port``."""
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_ports() -> TlsPorts:
    """Three ports of the block nobody holds now."""
    ports = [p for p in BLOCK if _free(p)][:3]
    if len(ports) < 3:
        raise RuntimeError("no three free ports in 30800-30999 for the TLS tests")
    return TlsPorts(*ports)


def overrides(ca: TlsFiles, ports: TlsPorts, remote_agents: str) -> dict[str, str]:
    """Settings of an instance behind the proxy with SIP over TLS for ``remote_agents``."""
    return {
        "CIC_PUBLIC_URL": ports.public,
        "CIC_TLS__CERT_FILE": str(ca.cert_file),
        "CIC_TLS__KEY_FILE": str(ca.key_file),
        "CIC_TLS__HTTP_PORT": str(ports.http),
        "CIC_TLS__PROXY_ADMIN": "off",
        "CIC_TLS__SIP_PORT": str(ports.sip),
        "CIC_TLS__SIP_BIND": "127.0.0.1",
        "CIC_TLS__REMOTE_AGENTS": remote_agents,
        "CIC_AUTH__TRUSTED_PROXIES": "[127.0.0.1]",
    }


@contextmanager
def caddy_in_front(pbx: Harness, ports: TlsPorts, state: Path) -> Iterator[None]:
    """Render the Caddyfile with ``cic proxy config --check`` and run Caddy until the end."""
    caddyfile = state / "Caddyfile"
    caddy_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(state),
                 "XDG_DATA_HOME": str(state / "caddy-data"),
                 "XDG_CONFIG_HOME": str(state / "caddy-config")}  # fmt: skip
    rendered = subprocess.run(
        [sys.executable, "-m", "cic.cli", "proxy", "config", "--output", str(caddyfile), "--check"],
        env={**os.environ, **pbx.env, **caddy_env}, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert rendered.returncode == 0, rendered.stderr
    with (state / "caddy.log").open("ab") as log:
        caddy = subprocess.Popen(
            ["caddy", "run", "--adapter", "caddyfile", "--config", str(caddyfile)],
            env=caddy_env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        Harness.wait_for(
            lambda: listening(ports.https) and listening(ports.http), 20, "Caddy listening"
        )
        yield
    finally:
        caddy.terminate()
        caddy.wait(timeout=15)
