"""docker/compose.yaml read into ``podman run`` commands, for the host-network shape cic uses.

Debian's podman-compose 1.0.3 adds ``--net <project>_default --network-alias <service>`` to
every container, even with ``network_mode: host``, and podman 4.3 refuses a network alias
outside bridge mode; so cic reads the same compose file itself. Only what docker/compose.yaml
uses is understood: ``image``, ``command``, ``network_mode`` (host only), ``restart``,
``depends_on`` (start order), ``environment`` (a mapping, YAML anchors allowed) and
``volumes`` (named volumes of the file, or absolute host paths); ``${VAR}``,
``${VAR:-default}`` in values come from the environment. Anything else is refused by name,
so a key the runner would silently ignore cannot slip in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

SERVICE_KEYS = frozenset(
    {"image", "command", "network_mode", "restart", "depends_on", "environment", "volumes"}
)
TOP_KEYS = frozenset({"services", "volumes"})
VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")
ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
RESTART = frozenset({"no", "always", "on-failure", "unless-stopped"})
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class ComposeError(ValueError):
    """The compose file or a value substituted into it is not what the runner accepts."""


@dataclass(frozen=True)
class Mount:
    """One volume line: a named volume of the project, or an absolute host path."""

    source: str
    target: str
    read_only: bool
    named: bool


@dataclass(frozen=True)
class Service:
    """One service, its values substituted and checked."""

    name: str
    image: str
    command: tuple[str, ...]
    restart: str
    depends_on: tuple[str, ...]
    environment: tuple[tuple[str, str], ...]
    mounts: tuple[Mount, ...]


@dataclass(frozen=True)
class ComposeFile:
    """The services in start order (each after what it depends on) and the named volumes."""

    services: tuple[Service, ...]
    volumes: tuple[str, ...]


def substitute(text: str, environ: Mapping[str, str], where: str) -> str:
    """``text`` with ``${VAR}`` and ``${VAR:-default}`` replaced from ``environ``.

    An unset variable without a default, or a value with a control character (a newline
    could smuggle another argument into a config file later), raises :class:`ComposeError`.
    """

    def one(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        value = environ.get(name) or default
        if value is None:
            raise ComposeError(f"{where}: zmienna {name} nie jest ustawiona (bez domyślnej)")
        return value

    result = VARIABLE.sub(one, text)
    if "${" in result or CONTROL.search(result):
        raise ComposeError(f"{where}: niedozwolona wartość {result!r}")
    return result


def load(path: Path, environ: Mapping[str, str]) -> ComposeFile:
    """Read and check the compose file at ``path``, values substituted from ``environ``."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ComposeError(f"{path}: {exc}") from exc
    return parse(data, environ, base=path.parent)


def parse(data: Any, environ: Mapping[str, str], base: Path) -> ComposeFile:
    """A compose document (already read from YAML) checked and put in start order."""
    if not isinstance(data, dict):
        raise ComposeError("plik compose musi być słownikiem")
    unknown = {k for k in data if not k.startswith("x-")} - TOP_KEYS
    if unknown:
        raise ComposeError(f"nieobsługiwane klucze: {', '.join(sorted(unknown))}")
    volumes = tuple(data.get("volumes") or {})
    for volume in volumes:
        _name(volume, "volumes")
    raw = data.get("services") or {}
    if not isinstance(raw, dict) or not raw:
        raise ComposeError("brak usług (services)")
    services = {
        _name(name, "services"): _service(name, spec, environ, set(volumes), base)
        for name, spec in raw.items()
    }
    return ComposeFile(_ordered(services), volumes)


def _name(value: object, where: str) -> str:
    if not isinstance(value, str) or not NAME.fullmatch(value):
        raise ComposeError(f"{where}: nazwa {value!r} (małe litery, cyfry, _ i -)")
    return value


def _service(
    name: str, spec: Any, environ: Mapping[str, str], volumes: set[str], base: Path
) -> Service:
    if not isinstance(spec, dict):
        raise ComposeError(f"{name}: opis usługi musi być słownikiem")
    unknown = set(spec) - SERVICE_KEYS
    if unknown:
        raise ComposeError(f"{name}: nieobsługiwane klucze: {', '.join(sorted(unknown))}")
    if spec.get("network_mode", "host") != "host":
        raise ComposeError(f"{name}: obsługiwana jest tylko sieć hosta (network_mode: host)")
    restart = str(spec.get("restart", "no"))
    if restart not in RESTART:
        raise ComposeError(f"{name}: restart {restart!r}")
    image = spec.get("image")
    if not isinstance(image, str):
        raise ComposeError(f"{name}: brak obrazu (image)")
    command = spec.get("command") or []
    if isinstance(command, str) or not all(isinstance(c, str) for c in command):
        raise ComposeError(f"{name}: command musi być listą napisów")
    env = spec.get("environment") or {}
    if not isinstance(env, dict):
        raise ComposeError(f"{name}: environment musi być słownikiem")
    environment = []
    for key, value in env.items():
        if not isinstance(key, str) or not ENV_NAME.fullmatch(key):
            raise ComposeError(f"{name}: nazwa zmiennej {key!r}")
        environment.append((key, substitute(str(value), environ, f"{name}.{key}")))
    mounts = tuple(
        _mount(str(line), environ, volumes, base, name) for line in spec.get("volumes") or []
    )
    return Service(
        name=name,
        image=substitute(image, environ, f"{name}.image"),
        command=tuple(substitute(c, environ, f"{name}.command") for c in command),
        restart=restart,
        depends_on=tuple(_name(d, f"{name}.depends_on") for d in spec.get("depends_on") or []),
        environment=tuple(environment),
        mounts=mounts,
    )


def _mount(
    line: str, environ: Mapping[str, str], volumes: set[str], base: Path, name: str
) -> Mount:
    parts = substitute(line, environ, f"{name}.volumes").split(":")
    if len(parts) not in (2, 3) or (len(parts) == 3 and parts[2] not in ("ro", "rw")):
        raise ComposeError(f"{name}: wolumen {line!r} (źródło:cel[:ro])")
    source, target = parts[0], parts[1]
    if not target.startswith("/") or "," in source + target:
        raise ComposeError(f"{name}: wolumen {line!r}")
    named = "/" not in source and not source.startswith(".")
    if named and source not in volumes:
        raise ComposeError(f"{name}: wolumen {source!r} nie jest zadeklarowany w volumes")
    if not named:
        source = str((base / source).resolve())
    return Mount(source, target, len(parts) == 3 and parts[2] == "ro", named)


def _ordered(services: dict[str, Service]) -> tuple[Service, ...]:
    """Services so that each comes after what it depends on; a cycle is an error."""
    done: list[Service] = []
    seen: set[str] = set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        if name in seen:
            return
        if name in path:
            raise ComposeError(f"zależności tworzą cykl: {' -> '.join((*path, name))}")
        if name not in services:
            raise ComposeError(f"{path[-1]}: nieznana usługa {name!r} w depends_on")
        for dep in services[name].depends_on:
            visit(dep, (*path, name))
        seen.add(name)
        done.append(services[name])

    for name in services:
        visit(name, ())
    return tuple(done)


def run_argv(project: str, service: Service) -> list[str]:
    """``podman run`` arguments (after ``podman``) that start ``service`` of ``project``."""
    argv = [
        "run", "--detach", f"--name={container_name(project, service.name)}",
        f"--label=io.podman.compose.project={project}",
        f"--label=com.docker.compose.project={project}",
        f"--label=com.docker.compose.service={service.name}",
        "--network=host", f"--restart={service.restart}",
    ]  # fmt: skip
    for key, value in service.environment:
        argv += ["--env", f"{key}={value}"]
    for mount in service.mounts:
        source = volume_name(project, mount.source) if mount.named else mount.source
        argv += ["--volume", f"{source}:{mount.target}{':ro' if mount.read_only else ''}"]
    return [*argv, service.image, *service.command]


def container_name(project: str, service: str) -> str:
    """The container's name, as podman-compose names it (``<project>_<service>_1``)."""
    return f"{project}_{service}_1"


def volume_name(project: str, volume: str) -> str:
    """The named volume's podman name (``<project>_<volume>``)."""
    return f"{project}_{volume}"
