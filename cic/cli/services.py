"""``cic services install|uninstall|prepare``: cic as systemd services on a bare-metal host.

``install`` writes the units of :mod:`cic.deploy.systemd` into /etc/systemd/system (with
``--root DIR``: under DIR, for packaging and tests, touching nothing else), the environment
file /etc/cic/cic.env and an empty /etc/cic/cic.yaml when they are missing (never over the
administrator's edits), makes the system users, and runs ``systemctl daemon-reload`` when
systemd is the running init; otherwise it prints what to run. ``prepare`` is what
cic-asterisk.service runs as root before Asterisk: the configuration rendered from the
database, the instance's directories made and handed to their users.
"""

from __future__ import annotations

import argparse
import grp
import os
import pwd
import subprocess
import sys
from pathlib import Path
from typing import Any

from cic.asterisk import accounts, ownership, process, provision
from cic.cli import lifecycle, service_user
from cic.config import Settings
from cic.deploy.systemd import CONFIG_STUB, UNITS, ServicePlan, UnitValueError, render, render_env
from cic.errors import CommandError

UNIT_DIR = "etc/systemd/system"
ENV_FILE = "/etc/cic/cic.env"
CONFIG_FILE = "/etc/cic/cic.yaml"
OUT_OF_REACH = ("/root", "/home")


def add_parser(sub: Any) -> None:
    """Add ``services`` and its actions to the ``cic`` parser."""
    parser = sub.add_parser("services", help="systemd units: install, uninstall")
    actions = parser.add_subparsers(dest="action", required=True)
    install = actions.add_parser("install", help="write the units, the users, daemon-reload")
    install.add_argument("--root", help="write under this directory only (packaging, tests)")
    install.add_argument("--user", default=accounts.SERVICE_USER, help="the services' user")
    install.add_argument("--python", default=sys.executable, help="the Python with cic")
    remove = actions.add_parser("uninstall", help="stop the units, remove them and their links")
    remove.add_argument("--root", help="remove from under this directory only")
    actions.add_parser("prepare", help="(cic-asterisk.service) render and prepare Asterisk")


def run(settings: Settings, args: argparse.Namespace) -> int:
    """Dispatch ``cic services``."""
    if args.action == "install":
        return install(settings, args.root, args.user, args.python)
    if args.action == "uninstall":
        return uninstall(args.root)
    prepare(settings)
    return 0


def plan_for(settings: Settings, user: str, python: str) -> ServicePlan:
    """The checked plan for this host's settings (refused with a clear message)."""
    paths = (Path(python), Path(python).resolve())
    if any(p.is_relative_to(home) for p in paths for home in OUT_OF_REACH):
        raise CommandError(
            f"{python} leży w /root lub /home: usługi (ProtectHome, użytkownik {user}) go nie"
            " uruchomią; zainstaluj cic w systemowym Pythonie lub venv np. w /opt/cic"
            " i podaj --python /opt/cic/bin/python"
        )
    try:
        layout = provision.locate(settings)
        return ServicePlan(
            python=python, user=user, state_dir=settings.state_dir, env_file=ENV_FILE,
            layout=layout,
        )  # fmt: skip
    except (UnitValueError, provision.ProvisionError) as exc:
        raise CommandError(str(exc)) from exc


def install(settings: Settings, root: str | None, user: str, python: str) -> int:
    """Write the units and the environment; make users and reload systemd on a real host."""
    plan = plan_for(settings, user, python)
    units, config = render(plan), render_env(plan, CONFIG_FILE)
    base = Path(root) if root else Path("/")
    if root is None:
        _need_root()
        _accounts(plan)
    unit_dir = base / UNIT_DIR
    unit_dir.mkdir(parents=True, exist_ok=True)
    for name, text in units.items():
        (unit_dir / name).write_text(text, encoding="utf-8")
        (unit_dir / name).chmod(0o644)
        print(f"zapisano {unit_dir / name}")
    for path, text in ((ENV_FILE, config), (CONFIG_FILE, CONFIG_STUB)):
        _write_once(base / path.lstrip("/"), text, shared=root is None)
    if root is not None:
        print(f"pliki w {base}; na docelowym hoście: systemctl daemon-reload"
              " && systemctl enable --now cic.target")  # fmt: skip
        return 0
    if _systemd_running():
        _systemctl("daemon-reload")
        print("systemctl daemon-reload: gotowe. Uruchom: systemctl enable --now cic.target")
    else:
        print("systemd nie działa tu jako init (PID 1): na hoście z systemd wykonaj"
              " systemctl daemon-reload && systemctl enable --now cic.target")  # fmt: skip
    print("dodatkowe procesy po rozmowie: systemctl enable --now cic-worker@1 cic-worker@2")
    return 0


def uninstall(root: str | None) -> int:
    """Stop the units (on a running systemd), remove their enablement links and files. The
    environment, the settings and the state directory stay."""
    base = Path(root) if root else Path("/")
    running = root is None and _systemd_running()
    if root is None:
        _need_root()
    if running:
        _systemctl("stop", "cic.target", *UNITS[1:], "cic-worker@*.service")
    unit_dir = base / UNIT_DIR
    links = [link for wants in unit_dir.glob("*.wants") for link in wants.iterdir()]
    ours = [unit_dir / name for name in UNITS] + [
        link for link in links if link.name in UNITS or link.name.startswith("cic-worker@")
    ]
    for path in ours:
        if path.is_symlink() or path.exists():
            path.unlink()
            print(f"usunięto {path}")
    if running:
        _systemctl("daemon-reload")
    print(f"zostają: {ENV_FILE}, {CONFIG_FILE} i katalog stanu (dane, nagrania, sekrety)")
    return 0


def prepare(settings: Settings) -> None:
    """Render Asterisk's configuration and prepare its instance (as root, before it starts);
    the state directory, where rendering may have made the database, goes to user ``cic``."""
    layout = lifecycle.install(settings)
    process.prepare(layout)
    ids = accounts.ensure(layout.root)
    if ids is None:
        return
    ownership.prepare(layout, ids)
    state = Path(settings.state_dir).resolve()
    if service_user.own_folder(state):
        service_user.hand_over(state, service_user.RunAs(ids.cic_uid, ids.cic_gid))


def _accounts(plan: ServicePlan) -> None:
    """The system users (``cic``, ``asterisk``, group ``cic``); another ``--user`` must exist
    already and be in group ``cic``."""
    try:
        accounts.ensure(plan.layout.root)
    except accounts.AccountError as exc:
        raise CommandError(str(exc)) from exc
    if plan.user != accounts.SERVICE_USER:
        group = grp.getgrnam(accounts.SHARED_GROUP)
        try:
            member = pwd.getpwnam(plan.user).pw_gid == group.gr_gid or plan.user in group.gr_mem
        except KeyError:
            member = False
        if not member:
            raise CommandError(
                f"użytkownik {plan.user} nie istnieje albo nie należy do grupy"
                f" {accounts.SHARED_GROUP}: useradd --system --gid {accounts.SHARED_GROUP}"
                f" {plan.user}"
            )


def _write_once(path: Path, text: str, *, shared: bool) -> None:
    """Write ``path`` (0640, group cic on a real host) unless it exists."""
    if path.exists():
        print(f"bez zmian (już jest): {path}")
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
    if shared:
        os.chown(path, 0, grp.getgrnam(accounts.SHARED_GROUP).gr_gid)
    print(f"zapisano {path}")


def _need_root() -> None:
    if os.geteuid() != 0:
        raise CommandError("instalacja usług w /etc wymaga roota (albo --root KATALOG)")


def _systemd_running() -> bool:
    """True when systemd is the running init (sd_booted)."""
    return Path("/run/systemd/system").is_dir()


def _systemctl(*args: str) -> None:
    result = subprocess.run(["systemctl", *args], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise CommandError(f"systemctl {' '.join(args)}: {result.stderr.strip()[:300]}")
