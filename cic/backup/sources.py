"""Which files a backup takes besides the database, and where they go back.

- ``recordings/<path under the recordings root>``: every regular file there (the mixed
  recording, the per-speaker files, after-hours messages), each compared with the checksum
  the database holds for it;
- ``state/<path under state_dir>``: the secrets file and the state directory's data (mail
  attachments, incident photos, consultation documents, the call spool), but not what is
  made again or fetched (speech models, caches, logs, pid and lock files, the database
  itself, privacy exports, the demo's files, the backups);
- ``config/``: the settings file, the files it names (synonyms, taxonomy, the mail
  acknowledgement, a CA file, the recorded prompts) and ``backup.include``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from cic.asterisk import provision
from cic.backup.models import MemberKind
from cic.config import Settings
from cic.private import SQLITE_COMPANIONS

STATE_SKIP_DIRS = frozenset({"models", "cache", "demo", "rodo", "kopie"})
STATE_SKIP_SUFFIXES = (".pid", ".log", ".lock", ".tmp")
STATE_SKIP_FILES = frozenset({"backup-status.json"})
SECRETS = "secrets.json"


@dataclass(frozen=True)
class Source:
    """One file to take: its path here and its name in the archive."""

    path: Path
    name: str
    kind: MemberKind
    origin: str = ""


def recordings_root(settings: Settings) -> Path:
    """``speech.recordings_root``, else the recordings folder of the Asterisk instance."""
    if settings.speech.recordings_root:
        return Path(settings.speech.recordings_root)
    layout = provision.locate(settings)
    return layout.host(layout.recordings)


def backup_dir(settings: Settings) -> Path:
    """``backup.dir``, else ``<state_dir>/kopie``."""
    return Path(settings.backup.dir or Path(settings.state_dir) / "kopie")


def _files(root: Path, skip: frozenset[Path] = frozenset()) -> Iterator[tuple[Path, str]]:
    """Regular files under ``root`` (links are not followed) with their relative POSIX path,
    sorted; folders in ``skip`` are left out."""
    if not root.is_dir():
        return
    for here, dirs, names in os.walk(root):
        folder = Path(here)
        dirs[:] = sorted(d for d in dirs if (folder / d).resolve() not in skip)
        for name in sorted(names):
            path = folder / name
            yield path, path.relative_to(root).as_posix()


def links(root: Path) -> list[Path]:
    """Links and other non-regular entries under ``root`` (reported, never taken)."""
    return [p for p, _ in _files(root) if p.is_symlink() or not p.is_file()]


def recordings(settings: Settings) -> list[Source]:
    """Every regular file under the recordings root."""
    root = recordings_root(settings)
    return [Source(p, f"recordings/{rel}", "recording") for p, rel in _files(root)
            if p.is_file() and not p.is_symlink()]  # fmt: skip


def state_files(settings: Settings, database: Path | None) -> list[Source]:
    """The state directory's data and secrets (see the module's docstring); ``database`` is
    the SQLite file (with its companions) left out, as it is copied on its own."""
    state = Path(settings.state_dir)
    skip = {state / d for d in STATE_SKIP_DIRS} | {backup_dir(settings), recordings_root(settings)}
    db_files: set[Path] = set()
    if database is not None:
        db_files = {
            database.with_name(database.name + s).resolve() for s in ("", *SQLITE_COMPANIONS)
        }
    out = []
    for path, rel in _files(state, frozenset(p.resolve() for p in skip)):
        if path.is_symlink() or not path.is_file() or path.resolve() in db_files:
            continue
        if path.parent == state and path.name in STATE_SKIP_FILES:
            continue
        if path.name.endswith(STATE_SKIP_SUFFIXES) or path.name.startswith(".secrets."):
            continue
        out.append(Source(path, f"state/{rel}", "state"))
    return out


def config_files(settings: Settings, settings_path: Path | None) -> list[Source]:
    """The settings file, the files its settings name, and ``backup.include``."""
    named: list[str] = [
        settings.office.kb_synonyms, settings.speech.taxonomy, settings.mail.ack_template,
        settings.mail.ca_file, *settings.backup.include,
    ]  # fmt: skip
    out: list[Source] = []
    if settings_path is not None and settings_path.is_file():
        out.append(Source(settings_path, f"config/{settings_path.name}", "config",
                          str(settings_path.resolve())))  # fmt: skip
    if settings.office.prompts_dir:
        named.append(settings.office.prompts_dir)
    for index, entry in enumerate(n for n in named if n):
        path = Path(entry)
        base = f"config/{index + 1}-{path.name or 'plik'}"
        if path.is_file():
            out.append(Source(path, base, "config", str(path.resolve())))
        for file, rel in _files(path):
            if file.is_file() and not file.is_symlink():
                out.append(Source(file, f"{base}/{rel}", "config", str(file.resolve())))
    return out
