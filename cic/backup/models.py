"""What an archive holds, as its manifest says (no tables: backups keep no rows of their own).

The manifest (``manifest.json``, the archive's last member but one, followed by its own
SHA-256 in ``manifest.sha256``) names the format and cic version, the database's kind and
Alembic revision with every table's row count, where recordings and the state lived, and every
member with its size and SHA-256. Recordings whose file no longer matches the checksum the
database holds are listed under ``problems`` (and their member is marked unverified).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

FORMAT = "cic-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MANIFEST_SUM = "manifest.sha256"
MemberKind = Literal["database", "recording", "state", "config"]
KIND_FOLDERS: dict[str, str] = {
    "database": "database",
    "recording": "recordings",
    "state": "state",
    "config": "config",
}


@dataclass
class Member:
    """One file in the archive: its name there, size, SHA-256 and file mode; ``source`` is
    where a settings file came from; ``verified`` whether a recording matched the database's
    checksum (None: not in the database, e.g. a call still being recorded)."""

    name: str
    kind: MemberKind
    size: int
    sha256: str
    mode: int = 0o600
    source: str = ""
    verified: bool | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Member:
        """A member from the manifest's JSON (KeyError/TypeError when it is not one)."""
        return cls(
            name=str(data["name"]), kind=data["kind"], size=int(data["size"]),
            sha256=str(data["sha256"]), mode=int(data.get("mode", 0o600)),
            source=str(data.get("source", "")), verified=data.get("verified"),
        )  # fmt: skip


@dataclass
class Problem:
    """Something the backup found wrong and reported instead of hiding: a recording whose
    file differs from the database's checksum, one that is missing, a link skipped."""

    kind: Literal["checksum_mismatch", "missing", "outside_root", "skipped"]
    path: str
    detail: str = ""

    def text(self) -> str:
        """One Polish line for the command's output."""
        label = {
            "checksum_mismatch": "suma kontrolna inna niż w bazie (plik zmieniony lub uszkodzony)",
            "missing": "brak pliku nagrania, które zna baza",
            "outside_root": "nagranie poza katalogiem nagrań (nie skopiowane)",
            "skipped": "pominięto (dowiązanie lub nie zwykły plik)",
        }[self.kind]
        return f"{self.path}: {label}{f' ({self.detail})' if self.detail else ''}"


@dataclass
class Manifest:
    """The archive's table of contents and facts (see the module's docstring)."""

    cic_version: str
    created_at: str
    database_kind: Literal["sqlite", "postgresql"]
    alembic_revision: str
    tables: dict[str, int]
    recordings_root: str
    state_dir: str
    members: list[Member] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    format: str = FORMAT
    format_version: int = FORMAT_VERSION

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Manifest:
        """The manifest from its JSON (KeyError/TypeError/ValueError when malformed)."""
        return cls(
            cic_version=str(data["cic_version"]), created_at=str(data["created_at"]),
            database_kind=data["database_kind"], alembic_revision=str(data["alembic_revision"]),
            tables={str(k): int(v) for k, v in dict(data["tables"]).items()},
            recordings_root=str(data["recordings_root"]), state_dir=str(data["state_dir"]),
            members=[Member.from_dict(m) for m in data["members"]],
            problems=[Problem(**p) for p in data.get("problems", [])],
            format=str(data["format"]), format_version=int(data["format_version"]),
        )  # fmt: skip

    def of_kind(self, kind: MemberKind) -> list[Member]:
        """The members of one kind, in archive order."""
        return [m for m in self.members if m.kind == kind]
