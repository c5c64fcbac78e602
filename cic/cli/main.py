"""The ``cic`` command."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable

from cic.addresses import cli as addresses_cli
from cic.cases import cli as cases_cli
from cic.cli import api, backup, containers, demo, ha, lifecycle, proxy, services, users
from cic.config import ConfigError, load_settings
from cic.dues import cli as dues_cli
from cic.errors import CommandError
from cic.notify import cli as sms_cli
from cic.observability.json_logs import use_json_logs
from cic.postcall import cli as postcall_cli
from cic.postcall import topics_cli
from cic.privacy import cli as privacy_cli
from cic.private import UMASK
from cic.speech import cli as speech_cli


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="cic", description="Centrum obsługi mieszkańców (cic).")
    p.add_argument("--config", help="plik ustawień YAML (domyślnie cic.yaml lub $CIC_CONFIG)")
    p.add_argument("-v", "--verbose", action="store_true")
    sub = p.add_subparsers(dest="command", required=True)

    sub.add_parser("up", help="install what is missing, start Asterisk and the controller")
    sub.add_parser("down", help="stop the controller and Asterisk")
    sub.add_parser("serve", help="run the controller in the foreground")

    ast = sub.add_parser("asterisk", help="Asterisk: install|start|stop|status")
    ast.add_argument("action", choices=["install", "start", "stop", "status"])

    agents = sub.add_parser("agents", help="agents and presence")
    asub = agents.add_subparsers(dest="action", required=True)
    add = asub.add_parser("add")
    add.add_argument("username")
    add.add_argument("display_name")
    add.add_argument("--contact", help="fixed SIP URI of a desk phone or test phone")
    add.add_argument("--queue", action="append", help="queue (repeatable); default: first line")
    asub.add_parser("list")
    for name in ("login", "logout", "unpause"):
        asub.add_parser(name).add_argument("username")
    pause = asub.add_parser("pause")
    pause.add_argument("username")
    pause.add_argument("reason")

    office = sub.add_parser("office", help="open or closed now; the opening-mode switch")
    office.add_argument("action", choices=["status", "auto", "open", "closed"])

    calls = sub.add_parser("calls", help="call records")
    csub = calls.add_subparsers(dest="action", required=True)
    lst = csub.add_parser("list")
    lst.add_argument("--limit", type=int, default=20)
    lst.add_argument("--json", action="store_true")
    csub.add_parser("show").add_argument("call_id")

    demo = sub.add_parser("demo", help="demo: a real SIP call to the municipal number")
    demo.add_argument("action", choices=["call"])
    demo.add_argument("--seconds", type=int, default=12, help="how long the resident talks")

    users.add_parser(sub)
    cases_cli.add_parser(sub)
    privacy_cli.add_parser(sub)
    postcall_cli.add_parser(sub)
    containers.add_parser(sub)
    topics_cli.add_parser(sub)
    speech_cli.add_parser(sub)
    dues_cli.add_parser(sub)
    sms_cli.add_parser(sub)
    addresses_cli.add_parser(sub)
    services.add_parser(sub)
    ha.add_parser(sub)
    backup.add_parser(sub)
    proxy.add_parser(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``cic`` console script."""
    os.umask(UMASK)  # nothing cic writes is for other users (subprocesses inherit it)
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        settings = load_settings(args.config)
    except ConfigError as exc:
        print(f"cic: błąd ustawień: {exc}", file=sys.stderr)
        return 2
    if settings.logging.format == "json":
        use_json_logs()
    handlers: dict[str, Callable[[argparse.Namespace], object]] = {
        "up": lambda a: lifecycle.up(settings),
        "down": lambda a: lifecycle.down(settings),
        "serve": lambda a: lifecycle.serve(settings),
        "asterisk": lambda a: lifecycle.asterisk(settings, a.action),
        "agents": lambda a: api.agents(settings, a),
        "calls": lambda a: api.calls(settings, a),
        "office": lambda a: api.office(settings, a.action),
        "demo": lambda a: demo.demo_call(settings, a.seconds),
        "users": lambda a: users.users(settings, a),
        "cases": lambda a: cases_cli.run(settings, a),
        "privacy": lambda a: privacy_cli.run(settings, a),
        "worker": lambda a: postcall_cli.run(settings, a),
        "compose": containers.run,
        "topics": lambda a: topics_cli.run(settings, a),
        "speech": lambda a: speech_cli.run(settings, a),
        "naleznosci": lambda a: dues_cli.run(settings, a),
        "sms": lambda a: sms_cli.run(settings, a),
        "adresy": lambda a: addresses_cli.run(settings, a),
        "services": lambda a: services.run(settings, a),
        "ha": lambda a: ha.run(settings, a),
        "backup": lambda a: backup.run(settings, a),
        "restore": lambda a: backup.run(settings, a),
        "proxy": lambda a: proxy.run(settings, a),
    }
    try:
        result = handlers[args.command](args)
    except CommandError as exc:
        print(f"cic: {exc}", file=sys.stderr)
        return 1
    if isinstance(result, int):
        return result
    if result is not None:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
