"""Bring a compose project (:mod:`cic.deploy.compose_file`) up and down with podman.

Containers and volumes carry podman-compose's labels and names (``<project>_<service>_1``,
``<project>_<volume>``), so ``podman ps --filter label=io.podman.compose.project=cic`` lists
them either way. podman runs with ``CONTAINERS_CONF`` set to the ``containers.conf`` beside
the compose file (runc, cgroupfs, no default ulimits) unless the caller set one.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from cic.deploy.compose_file import ComposeFile, container_name, run_argv, volume_name

PROJECT_LABEL = "io.podman.compose.project"


class PodmanError(RuntimeError):
    """A podman command failed; the message carries its output."""


@dataclass(frozen=True)
class Podman:
    """Runs ``podman`` with the engine settings of one ``containers.conf``."""

    containers_conf: Path
    binary: str = "podman"

    def env(self) -> dict[str, str]:
        """The environment podman runs with."""
        return {**os.environ, "CONTAINERS_CONF": str(self.containers_conf)}

    def run(self, args: Sequence[str], check: bool = True) -> str:
        """Run ``podman args``; its standard output. Raises :class:`PodmanError` if ``check``."""
        result = subprocess.run(
            [self.binary, *args], capture_output=True, text=True, env=self.env(), check=False
        )
        if check and result.returncode != 0:
            raise PodmanError(f"podman {' '.join(args[:3])}: {result.stderr.strip()[-1500:]}")
        return result.stdout

    def passthrough(self, args: Sequence[str]) -> int:
        """Run ``podman args`` with its output on this terminal; its exit status."""
        return subprocess.run([self.binary, *args], env=self.env(), check=False).returncode


def engine_for(compose_path: Path, environ: Mapping[str, str]) -> Podman:
    """podman with ``$CONTAINERS_CONF`` if set, else the containers.conf beside the file."""
    conf = environ.get("CONTAINERS_CONF") or str(compose_path.parent / "containers.conf")
    return Podman(Path(conf))


def up(podman: Podman, compose: ComposeFile, project: str) -> list[str]:
    """Create the missing volumes, then (re)start every service in dependency order.

    A container of the same name is replaced, so ``up`` after a rebuild runs the new images.
    Returns the containers' names.
    """
    existing = set(podman.run(["volume", "ls", "--format", "{{.Name}}"]).split())
    for volume in compose.volumes:
        name = volume_name(project, volume)
        if name not in existing:
            podman.run(["volume", "create", f"--label={PROJECT_LABEL}={project}", name])
    names = []
    for service in compose.services:
        name = container_name(project, service.name)
        podman.run(["rm", "--force", "--time", "10", name], check=False)
        podman.run(run_argv(project, service))
        names.append(name)
    return names


def down(podman: Podman, compose: ComposeFile, project: str, volumes: bool) -> list[str]:
    """Stop and remove the services' containers (last started first) and, with ``volumes``,
    the project's volumes (the database, recordings and secrets go with them). Returns what
    was removed."""
    removed = []
    for service in reversed(compose.services):
        name = container_name(project, service.name)
        podman.run(["rm", "--force", "--time", "15", name], check=False)
        removed.append(name)
    if volumes:
        for volume in compose.volumes:
            name = volume_name(project, volume)
            podman.run(["volume", "rm", "--force", name], check=False)
            removed.append(name)
    return removed


def volume_path(podman: Podman, project: str, volume: str) -> Path:
    """Where a named volume of the project lies on the host."""
    out = podman.run(
        ["volume", "inspect", "--format", "{{.Mountpoint}}", volume_name(project, volume)]
    )
    return Path(out.strip())
