"""``cic ha kamailio-config``: Kamailio's files for several Asterisk nodes (``ha.*``)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from cic.config import Settings
from cic.deploy import kamailio
from cic.errors import CommandError


def add_parser(sub: Any) -> None:
    """Register ``cic ha``."""
    ha = sub.add_parser("ha", help="wysoka dostępność: Kamailio przed węzłami Asteriska")
    hsub = ha.add_subparsers(dest="action", required=True)
    cfg = hsub.add_parser(
        "kamailio-config", help="zapisz kamailio.cfg i dispatcher.list z ustawień ha.*"
    )
    cfg.add_argument("--out", default="/etc/kamailio", help="katalog (domyślnie /etc/kamailio)")
    cfg.add_argument(
        "--no-check", action="store_true", help="nie sprawdzaj pliku programem kamailio -c"
    )


def run(settings: Settings, args: argparse.Namespace) -> dict[str, Any]:
    """Render (and by default check with ``kamailio -c``) Kamailio's files."""
    try:
        config = kamailio.KamailioConfig.from_settings(settings, Path(args.out))
        written = kamailio.write(config)
        checked = "" if args.no_check else kamailio.check(written[0])
    except kamailio.KamailioConfigError as exc:
        raise CommandError(str(exc)) from exc
    except OSError as exc:
        raise CommandError(f"nie można zapisać plików Kamailio w {args.out}: {exc}") from exc
    return {
        "files": [str(p) for p in written],
        "nodes": [n.uri for n in config.nodes],
        "listen": f"{config.listen.host}:{config.listen.port}",
        "check": checked or "pominięto",
    }
