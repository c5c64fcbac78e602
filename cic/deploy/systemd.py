"""systemd units for a bare-metal install: Asterisk, the controller, post-call workers, the
nightly backup and ``cic.target`` grouping them, plus the environment file they read.

Every value that goes into a unit is checked against a narrow grammar first (absolute paths
of safe characters, a system user name): a newline would add directives, a space would split
an argument, ``%`` is a systemd specifier and ``$`` an environment expansion. A value off the
grammar raises :class:`UnitValueError` naming the field; nothing is rendered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from cic.asterisk import accounts
from cic.asterisk.provision import Layout

TEMPLATES = Path(__file__).with_name("systemd_units")
UNITS = (
    "cic.target",
    "cic-asterisk.service",
    "cic-controller.service",
    "cic-worker@.service",
    "cic-backup.service",
    "cic-backup.timer",
)
BANNER = "Napisane przez `cic services install`; zmiany nadpisze następna instalacja."
_PATH = re.compile(r"/(?:[A-Za-z0-9._+@-]+/)*[A-Za-z0-9._+@-]*")
_USER = re.compile(r"[a-z_][a-z0-9_-]{0,31}")
# Asterisk as root reads its configuration (0640 cic:cic: CAP_DAC_READ_SEARCH), then drops to
# asterisk:cic itself (-U/-G: CAP_SETUID, CAP_SETGID) keeping CAP_NET_ADMIN; found by starting
# it under exactly this bounding set (tests/integration/test_systemd_asterisk.py).
ASTERISK_CAPS = ("CAP_SETUID", "CAP_SETGID", "CAP_DAC_READ_SEARCH", "CAP_NET_ADMIN")


class UnitValueError(ValueError):
    """A value that may not go into a systemd unit; the message names the field."""


def unit_path(value: str, field: str) -> str:
    """``value`` if it is an absolute path of letters, digits and ``._+@-`` only."""
    if not _PATH.fullmatch(value) or "/../" in f"{value}/" or "//" in value:
        raise UnitValueError(
            f"{field}: {value!r} nie jest ścieżką bezwzględną z samych liter, cyfr i znaków"
            " ._+@- (bez spacji, cudzysłowów, %, $, .. i znaków nowej linii)"
        )
    return value


def user_name(value: str, field: str = "--user") -> str:
    """``value`` if it is a valid system user name (lower case, at most 32 characters)."""
    if not _USER.fullmatch(value):
        raise UnitValueError(
            f"{field}: {value!r} nie jest nazwą użytkownika systemowego (małe litery, cyfry,"
            " _ i -, zaczyna się literą lub _, najwyżej 32 znaki)"
        )
    return value


@dataclass(frozen=True)
class ServicePlan:
    """What the units run and where: checked when made."""

    python: str
    user: str
    state_dir: str
    env_file: str
    layout: Layout

    def __post_init__(self) -> None:
        unit_path(self.python, "--python")
        user_name(self.user)
        unit_path(self.state_dir, "state_dir")
        unit_path(self.env_file, "plik środowiska")
        unit_path(str(self.layout.root), "asterisk.root")
        unit_path(self.layout.conf_file, "asterisk.instance")

    @property
    def instance_dir(self) -> str:
        """The Asterisk instance's directory on the host."""
        return str(self.layout.host(self.layout.inst))

    @property
    def asterisk(self) -> str:
        """The command that runs this instance's Asterisk (chrooted into the cached root)."""
        conf = f"-C {self.layout.conf_file}"
        if self.layout.chrooted:
            return f"/usr/sbin/chroot {self.layout.root} /usr/sbin/asterisk {conf}"
        return f"/usr/sbin/asterisk {conf}"

    @property
    def state_directory(self) -> str:
        """``StateDirectory=`` (systemd makes it and hands it to the user) when the state
        directory is under /var/lib, else empty."""
        parent, name = Path(self.state_dir).parent, Path(self.state_dir).name
        return name if parent == Path("/var/lib") else ""

    def values(self) -> dict[str, object]:
        """The templates' values."""
        root = self.layout.root
        dirs = ("var/lib/asterisk", "var/run/asterisk", "var/log/asterisk", "var/spool/asterisk")
        caps = ("CAP_SYS_CHROOT", *ASTERISK_CAPS) if self.layout.chrooted else ASTERISK_CAPS
        return {
            "banner": BANNER,
            "python": self.python,
            "user": self.user,
            "group": accounts.SHARED_GROUP,
            "asterisk_user": accounts.ASTERISK_USER,
            "state_dir": self.state_dir,
            "state_directory": self.state_directory,
            "env_file": self.env_file,
            "instance_dir": self.instance_dir,
            "asterisk": self.asterisk,
            "asterisk_where": f"chroot {root}" if self.layout.chrooted else "/usr/sbin/asterisk",
            "asterisk_dirs": [str(root / d) for d in dirs] if self.layout.chrooted else [],
            "chrooted": self.layout.chrooted,
            "capabilities": " ".join(caps),
        }


def render(plan: ServicePlan) -> dict[str, str]:
    """Every unit's text by file name."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        undefined=StrictUndefined,
        autoescape=False,  # noqa: S701 - systemd units, not HTML (values checked above)
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    values = plan.values()
    return {name: env.get_template(f"{name}.j2").render(values) for name in UNITS}


def render_env(plan: ServicePlan, config_file: str) -> str:
    """The environment file the units read (written once; the administrator edits it)."""
    unit_path(config_file, "plik ustawień")
    return (
        f"# cic: zmienne środowiska usług cic-*.service ({BANNER.split(';')[0]}).\n"
        "# Ustawienia: plik CIC_CONFIG lub zmienne CIC_* (README, Configuration).\n"
        "# Po zmianie: systemctl restart cic.target\n"
        f"CIC_CONFIG={config_file}\n"
        f"CIC_STATE_DIR={plan.state_dir}\n"
        f"HOME={plan.state_dir}\n"
        "PYTHONUNBUFFERED=1\n"
        "# CIC_DATABASE_URL=postgresql://cic:HASLO@127.0.0.1/cic\n"
        "# CIC_REDIS_URL=redis://127.0.0.1:6379/0\n"
    )


CONFIG_STUB = (
    "# cic: ustawienia (README, Configuration). Pusty plik: wartości domyślne.\n"
    '# office:\n#   name: Urząd Gminy Przykładowo\n#   number: "+48820000000"\n'
)
