"""The composed system (docker/compose.yaml) for a test: images built (cached), a test CA and
the office's settings in a temporary /etc/cic, every service on the ports 31001.. of this
test's block, and the JSON API reached through the TLS proxy, verified against the test CA.
"""

from __future__ import annotations

import json
import os
import shutil
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cic.deploy.compose_run import engine_for, volume_path
from cic.speech.engines.packaged import packaged_whisper_base

REPO = Path(__file__).resolve().parents[2]
COMPOSE = REPO / "docker" / "compose.yaml"
PROJECT = "cictest"
# The helper's block 31000-31499: services 31001-31008, RTP 31200-31399, SIPp phones 31400+.
PORTS = {
    "PG_PORT": 31001, "REDIS_PORT": 31002, "WEB_PORT": 31003, "AMI_PORT": 31004,
    "AGI_PORT": 31005, "SIP_PORT": 31006, "ASTERISK_HTTP_PORT": 31007, "HTTPS_PORT": 31008,
    "RTP_START": 31200, "RTP_END": 31399,
}  # fmt: skip
PHONE_PORTS = 31400
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SETTINGS = (
    "office:\n"
    "  hours: {" + ", ".join(f"{d}: ['00:00-24:00']" for d in DAYS) + "}\n"
    "  closed_days: []\n"
    "  wrapup_seconds: 5\n"
)


def missing_tools() -> list[str]:
    """What the deploy test needs and this machine lacks."""
    tools = ("podman", "debootstrap", "openssl", "sipp")
    missing = [tool for tool in tools if not shutil.which(tool)]
    if os.geteuid() != 0:
        missing.append("root (podman and debootstrap run as root here)")
    return missing


def timed(argv: list[str], env: dict[str, str], what: str) -> float:
    """Run ``argv``, fail with its output if it fails; the seconds it took (printed)."""
    started = time.monotonic()
    result = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    seconds = time.monotonic() - started
    if result.returncode != 0:
        raise AssertionError(f"{what} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    print(f"\n{what}: {seconds:.1f} s", file=sys.stderr)
    return seconds


def make_ca(folder: Path) -> Path:
    """A CA and a certificate for localhost and 127.0.0.1 signed by it, in ``folder/tls``;
    returns the CA certificate."""
    tls = folder / "tls"
    tls.mkdir(parents=True)
    (tls / "san.ext").write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    steps = [
        ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
         "-days", "2", "-subj", "/CN=cic test CA"],
        ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem", "-out", "cert.csr",
         "-subj", "/CN=localhost"],
        ["x509", "-req", "-in", "cert.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
         "-CAcreateserial", "-out", "cert.pem", "-days", "2", "-extfile", "san.ext"],
    ]  # fmt: skip
    for step in steps:
        subprocess.run(["openssl", *step], cwd=tls, capture_output=True, check=True)
    (tls / "key.pem").chmod(0o644)  # Caddy runs as its own user in the proxy container
    return tls / "ca.pem"


@dataclass
class Composed:
    """The running composed system, seen from the host."""

    env: dict[str, str]
    ca: Path
    transcribes: bool
    next_port: int = PHONE_PORTS

    @property
    def base(self) -> str:
        """The proxy's address."""
        return f"https://localhost:{PORTS['HTTPS_PORT']}"

    def volume(self, name: str) -> Path:
        """A volume of the project on the host."""
        return volume_path(engine_for(COMPOSE, self.env), PROJECT, name)

    def api_token(self) -> str:
        """The controller's API token, from its secrets file in the state volume."""
        return str(json.loads((self.volume("state") / "secrets.json").read_text())["api_token"])

    def get(self, path: str, token: str | None = None) -> Any:
        """GET through the proxy, the certificate checked against the test CA."""
        return self.request("GET", path, None, token)

    def request(self, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
        """One JSON request through the TLS proxy."""
        req = urllib.request.Request(
            self.base + path, method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Content-Type": "application/json",
                     **({"Authorization": f"Bearer {token}"} if token else {})},
        )  # fmt: skip
        context = ssl.create_default_context(cafile=str(self.ca))
        with urllib.request.urlopen(req, timeout=30, context=context) as resp:
            return json.loads(resp.read() or b"null")

    def phone_port(self) -> int:
        """A fresh SIP port for a SIPp phone (media on the next ones)."""
        self.next_port += 10
        return self.next_port

    def logs(self) -> str:
        """The last lines of every container's log (kept beside the test's files)."""
        out = []
        for service in ("controller", "asterisk", "worker", "proxy", "postgres", "redis"):
            result = subprocess.run(
                ["podman", "logs", "--tail", "300", f"{PROJECT}_{service}_1"],
                env=self.env, capture_output=True, text=True, check=False,
            )  # fmt: skip
            out.append(f"--- {service}\n{result.stdout}{result.stderr}")
        return "\n".join(out)


def wait_for(check: Callable[[], Any], timeout: float, what: str) -> Any:
    """Poll ``check`` until it returns something true (errors count as not yet); that value."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = check()
            if last:
                return last
        except (OSError, urllib.error.URLError, ValueError, KeyError) as exc:
            last = exc
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}: {last!r}")


@contextmanager
def composed(folder: Path) -> Iterator[Composed]:
    """Build the images, compose the system up, wait until the proxy answers; afterwards (also
    on failure) compose it down and remove its containers and volumes."""
    etc = folder / "etc"
    ca = make_ca(etc)
    # Whisper base from the test extras' packages, for the worker container to transcribe with.
    model = packaged_whisper_base(etc / "models")
    stt = f"speech:\n  stt: {{engine: whisper, model_dir: /etc/cic/models/{model.name}}}\n"
    (etc / "cic.yaml").write_text(SETTINGS + (stt if model else ""), encoding="utf-8")
    env = {
        **os.environ,
        "CONTAINERS_CONF": str(COMPOSE.parent / "containers.conf"),
        "PYTHONPATH": str(REPO),
        "CIC_COMPOSE_PROJECT": PROJECT,
        "CIC_COMPOSE_ETC": str(etc),
        **{f"CIC_COMPOSE_{key}": str(port) for key, port in PORTS.items()},
    }
    timed([str(REPO / "docker" / "build")], env, "docker/build")
    cic = [sys.executable, "-m", "cic", "compose", "-f", str(COMPOSE)]
    system = Composed(env, ca, transcribes=model is not None)
    try:
        timed([*cic, "up"], env, "cic compose up")
        started = time.monotonic()
        wait_for(lambda: system.get("/healthz")["ok"], 180, "the controller behind the proxy")
        print(f"\nhealthy through the proxy after {time.monotonic() - started:.1f} s")
        yield system
    finally:
        # Kept for a failed test: the containers and their logs go with the project.
        (folder / "containers.log").write_text(system.logs(), encoding="utf-8")
        print(f"\ncontainers' logs: {folder / 'containers.log'}", file=sys.stderr)
        timed([*cic, "down", "--volumes"], env, "cic compose down --volumes")
