"""``cic proxy config``: the Caddyfile of the TLS reverse proxy (see :mod:`cic.deploy.caddy`)."""

from __future__ import annotations

import argparse
import shutil
import subprocess
from pathlib import Path
from typing import Any

from cic.config import Settings
from cic.deploy.caddy import ProxyConfigError, caddyfile
from cic.errors import CommandError
from cic.local_files import write_atomic


def add_parser(sub: Any) -> None:
    """The ``proxy`` subcommand."""
    proxy = sub.add_parser("proxy", help="serwer pośredniczący TLS (Caddy) przed konsolą")
    psub = proxy.add_subparsers(dest="action", required=True)
    config = psub.add_parser("config", help="zapisuje Caddyfile (bez --output: wypisuje go)")
    config.add_argument("--output", help="plik, np. /etc/caddy/Caddyfile")
    config.add_argument(
        "--check", action="store_true", help="sprawdza zapisany plik poleceniem caddy validate"
    )


def run(settings: Settings, args: argparse.Namespace) -> Any:
    """Render the Caddyfile; write it (and check it with Caddy) or print it."""
    try:
        text = caddyfile(settings)
    except ProxyConfigError as exc:
        raise CommandError(f"Caddyfile nie powstał: {exc}") from None
    if not args.output:
        if args.check:
            raise CommandError("--check sprawdza plik: podaj też --output")
        print(text, end="")
        return None
    path = Path(args.output)
    write_atomic(path, text, 0o644)  # Caddy runs as its own user; the file holds no secret
    if args.check:
        validate(path)
    return {"caddyfile": str(path), "checked": bool(args.check)}


def validate(path: Path) -> None:
    """``caddy validate`` on ``path``; :class:`CommandError` with Caddy's words when refused."""
    caddy = shutil.which("caddy")
    if caddy is None:
        raise CommandError("brak programu caddy: apt-get install caddy")
    argv = [caddy, "validate", "--adapter", "caddyfile", "--config", str(path)]
    result = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=60)
    if result.returncode != 0:
        raise CommandError(f"caddy validate odrzucił {path}:\n{result.stderr.strip()[-1500:]}")
