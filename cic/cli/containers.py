"""``cic compose up|down|ps|logs``: the composed system (docker/compose.yaml) with podman.

Debian's podman-compose 1.0.3 cannot start host-network containers (see
:mod:`cic.deploy.compose_file`); this command reads the same file and runs podman itself.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from cic.deploy import compose_file, compose_run
from cic.errors import CommandError

DEFAULT_FILE = Path("docker/compose.yaml")


def add_parser(sub: Any) -> None:
    """Add ``compose`` and its actions to the ``cic`` parser."""
    parser = sub.add_parser(
        "compose", help="system w kontenerach (docker/compose.yaml) z podmanem: up|down|ps|logs"
    )
    parser.add_argument("action", choices=["up", "down", "ps", "logs"])
    parser.add_argument("service", nargs="?", help="usługa (dla logs)")
    parser.add_argument("-f", "--file", type=Path, default=DEFAULT_FILE, help="plik compose")
    parser.add_argument(
        "-p", "--project", default=os.environ.get("CIC_COMPOSE_PROJECT", "cic"),
        help="przedrostek kontenerów i wolumenów (domyślnie $CIC_COMPOSE_PROJECT lub cic)",
    )  # fmt: skip
    parser.add_argument(
        "--volumes", action="store_true",
        help="down: usuń też wolumeny (baza, nagrania, sekrety — nieodwracalnie)",
    )  # fmt: skip


def run(args: argparse.Namespace) -> Any:
    """Run ``cic compose ACTION``."""
    if compose_file.NAME.fullmatch(args.project) is None:
        raise CommandError(f"nazwa projektu {args.project!r}: małe litery, cyfry, _ i -")
    podman = compose_run.engine_for(args.file, os.environ)
    if args.action == "ps":
        label = f"label={compose_run.PROJECT_LABEL}={args.project}"
        return podman.passthrough(["ps", "--all", "--filter", label])
    try:
        compose = compose_file.load(args.file, os.environ)
        if args.action == "logs":
            if args.service not in {s.name for s in compose.services}:
                raise CommandError(f"podaj usługę: {', '.join(s.name for s in compose.services)}")
            name = compose_file.container_name(args.project, args.service)
            return podman.passthrough(["logs", name])
        if args.action == "up":
            return {"started": compose_run.up(podman, compose, args.project)}
        return {"removed": compose_run.down(podman, compose, args.project, args.volumes)}
    except (compose_file.ComposeError, compose_run.PodmanError) as exc:
        raise CommandError(str(exc)) from exc
