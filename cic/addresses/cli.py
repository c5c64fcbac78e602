"""``cic adresy import PLIK [--format csv|gml]``: load the office's address points (PRG
"punkty adresowe", CSV or GUGiK's GML; the format is in cic/addresses/FORMAT.md).

Runs directly on the store (the controller need not be running). Prints the report as JSON
(points added, changed, unchanged; rejected rows with their line and reason) and exits 0, or
3 when some rows were rejected (the good ones are loaded all the same), or 1 when the whole
file is refused. Loading the same file again changes nothing.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from cic.addresses import importer, prg
from cic.addresses.errors import ImportRefused
from cic.config import Settings
from cic.db import Store
from cic.errors import CommandError
from cic.local_files import read_limited

SOME_REJECTED = 3


def add_parser(sub: Any) -> None:
    """Add ``adresy`` and its subcommand to the ``cic`` parser."""
    addresses = sub.add_parser("adresy", help="adresy: import punktów adresowych (PRG)")
    asub = addresses.add_subparsers(dest="action", required=True)
    load = asub.add_parser(
        "import", help="wczytaj plik punktów adresowych (CSV, opis w cic/addresses/FORMAT.md)"
    )
    load.add_argument("file", type=Path)
    load.add_argument("--format", choices=["csv", "gml"], help="domyślnie z rozszerzenia pliku")


def run(settings: Settings, args: argparse.Namespace) -> int:
    """Import the file named in ``args`` into the store of ``settings``."""
    path: Path = args.file
    limit = settings.safety.address_file_max_mb * 1_000_000
    data = read_limited(path, limit)
    store = Store(settings.db_url)
    try:
        chosen = args.format or ("gml" if path.suffix.lower() in (".gml", ".xml") else "csv")
        parsed = prg.parse(
            data, max_bytes=limit, max_rows=settings.safety.address_max_rows, form=chosen
        )
        store.migrate()
        report = importer.load(store, parsed)
    except ImportRefused as exc:
        raise CommandError(exc.message) from exc
    finally:
        store.engine.dispose()
    print(json.dumps({"file": str(path), **report.to_dict()}, ensure_ascii=False, indent=2))
    return SOME_REJECTED if report.rejected else 0
