"""``cic backup`` and ``cic restore``: the archive of an instance and its way back."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from cic.backup.errors import BackupError, ControllerRunning
from cic.backup.restore import Restorer, RestoreSummary
from cic.backup.service import BackupResult, BackupService
from cic.cli import lifecycle
from cic.config import Settings, settings_file
from cic.errors import CommandError

LABELS = {
    "calls": "połączenia", "call_events": "zdarzenia połączeń", "recordings": "nagrania (wpisy)",
    "cases": "sprawy", "contact_reports": "zgłoszenia", "residents": "mieszkańcy",
}  # fmt: skip


def add_parser(sub: Any) -> None:
    """The ``backup`` and ``restore`` subcommands."""
    backup = sub.add_parser(
        "backup", help="kopia zapasowa: baza, nagrania, sekrety, ustawienia w jednym archiwum"
    )
    backup.add_argument("--to", type=Path, help="katalog archiwów (domyślnie backup.dir)")
    backup.add_argument(
        "--keep", type=int, help="zostaw N najnowszych archiwów (zamiast backup.keep_*)"
    )
    restore = sub.add_parser("restore", help="odtworzenie kopii do pustej instancji")
    restore.add_argument("archive", type=Path, help="plik cic-backup-….tar")
    restore.add_argument(
        "--force", action="store_true", help="zastąp dane instancji, która nie jest pusta"
    )


def run(settings: Settings, args: argparse.Namespace) -> int:
    """Dispatch ``backup`` or ``restore``; Polish errors as ``CommandError``."""
    try:
        if args.command == "backup":
            if args.keep is not None and args.keep < 1:
                raise CommandError("--keep: co najmniej 1")
            service = BackupService(settings, settings_path=settings_file(args.config))
            _print_backup(service.backup(args.to, args.keep))
            return 0
        if lifecycle.controller_running(settings):
            raise ControllerRunning()
        _print_restore(Restorer(settings).restore(args.archive, force=args.force))
        return 0
    except BackupError as exc:
        raise CommandError(exc.message) from exc


def _print_backup(result: BackupResult) -> None:
    print(f"Kopia zapasowa: {result.path} ({result.size / 1e6:.1f} MB, plików {result.members},"
          f" w tym nagrań {result.recordings})")  # fmt: skip
    for path in result.deleted:
        print(f"  usunięto starą kopię {path.name}")
    for problem in result.problems:
        print(f"UWAGA: {problem.text()}", file=sys.stderr)


def _print_restore(summary: RestoreSummary) -> None:
    print(f"Odtworzono {summary.archive.name} (z {summary.created_at}, cic {summary.cic_version}).")
    for table, count in summary.counts.items():
        print(f"  {LABELS.get(table, table)}: {count}")
    print(f"  pliki nagrań: {summary.recordings}, pliki stanu i sekrety: {summary.state_files}")
    if summary.config_dir is not None:
        print(f"  ustawienia z kopii: {summary.config_dir} (porównaj z obecnymi i przenieś)")
    for problem in summary.problems:
        print(f"UWAGA (zgłoszone przy kopii): {problem.text()}", file=sys.stderr)
    print("Dalej: cic up (albo uruchom usługi), zaloguj się i sprawdź rejestr połączeń.")
