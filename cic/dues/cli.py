"""``cic naleznosci import PLIK [--format csv|xml]``: load the finance system's dues file.

Runs directly on the store (the controller need not be running). Prints the report as JSON
(items added, changed, unchanged, removed; rejected rows with their line and reason) and
exits 0, or 3 when some rows were rejected (the good ones are loaded all the same), or 1
when the whole file is refused. The file carries PINs in plain text: delete it afterwards.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from cic.config import Settings
from cic.db import Store
from cic.dues import fileformat, importer
from cic.dues.errors import ImportRefused
from cic.dues.rows import Format
from cic.errors import CommandError
from cic.local_files import read_limited

SOME_REJECTED = 3
REMINDER = (
    "Uwaga: plik zawiera PIN-y płatników jawnym tekstem. Usuń go teraz (i z kopii), w bazie"
    " zostały tylko ich skróty."
)


def add_parser(sub: Any) -> None:
    """Add ``naleznosci`` and its subcommand to the ``cic`` parser."""
    dues = sub.add_parser("naleznosci", help="należności: import sald z systemu finansowego")
    dsub = dues.add_subparsers(dest="action", required=True)
    load = dsub.add_parser(
        "import", help="wczytaj plik należności (CSV lub XML, opis w cic/dues/FORMAT.md)"
    )
    load.add_argument("file", type=Path)
    load.add_argument("--format", choices=["csv", "xml"], help="domyślnie z rozszerzenia pliku")


def _format(path: Path, chosen: str | None) -> Format | None:
    if chosen in ("csv", "xml"):
        return "csv" if chosen == "csv" else "xml"
    suffix = path.suffix.lower()
    return "xml" if suffix == ".xml" else "csv" if suffix == ".csv" else None


def run(settings: Settings, args: argparse.Namespace) -> int:
    """Import the file named in ``args`` into the store of ``settings``."""
    path: Path = args.file
    limit = settings.dues.max_file_mb * 1_000_000
    data = read_limited(path, limit)
    store = Store(settings.db_url)
    try:
        parsed = fileformat.parse(
            data, _format(path, args.format), max_bytes=limit, max_rows=settings.dues.max_rows
        )
        store.migrate()
        report = importer.load(store, parsed)
    except ImportRefused as exc:
        raise CommandError(exc.message) from exc
    finally:
        store.engine.dispose()
    print(json.dumps({"file": str(path), **report.to_dict()}, ensure_ascii=False, indent=2))
    print(REMINDER, file=sys.stderr)
    return SOME_REJECTED if report.rejected else 0
