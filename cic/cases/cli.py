"""``cic cases load-jrwa FILE``: load the office's own JRWA list (YAML or CSV) into the store."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from cic.cases import catalogue, jrwa
from cic.cases.errors import CaseError
from cic.config import Settings
from cic.db import Store
from cic.errors import CommandError


def add_parser(sub: Any) -> None:
    """Add ``cases`` and its subcommands to the ``cic`` parser."""
    cases = sub.add_parser("cases", help="rejestr spraw: wykaz akt (JRWA)")
    csub = cases.add_subparsers(dest="action", required=True)
    load = csub.add_parser(
        "load-jrwa", help="wczytaj pełny wykaz akt urzędu (YAML lub CSV symbol;hasło;kategoria)"
    )
    load.add_argument("file", type=Path)


def run(settings: Settings, args: argparse.Namespace) -> Any:
    """Run ``cic cases ACTION`` directly on the store (the controller need not be running)."""
    try:
        classes = jrwa.parse_file(args.file)
    except CaseError as exc:
        raise CommandError(exc.message) from exc
    store = Store(settings.db_url)
    try:
        store.migrate()
        count = store.run_sync(lambda s: catalogue.store_jrwa(s, classes))
    finally:
        store.engine.dispose()
    return {"loaded": count, "file": str(args.file)}
