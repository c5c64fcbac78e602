"""The access export (art. 15 RODO): everything held about one resident as one zip archive.

The archive is written to a file, never built in memory: calls are read from the store a batch
at a time, recordings are copied in chunks (only from inside the recordings root), and the size
is checked as it grows. Nothing of another resident goes in (see ``cic.privacy.content``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from importlib.resources import files
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

import jinja2
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cic.calls.models import Recording
from cic.db import Store, utcnow
from cic.privacy import content
from cic.privacy.archive import ArchiveWriter, too_large
from cic.privacy.register import for_residents
from cic.privacy.scope import Scope, chunks, collect, load_subject
from cic.recordings.access import inside
from cic.recordings.errors import UnsafePath
from cic.recordings.models import RecordingChannel

log = logging.getLogger(__name__)
BATCH = 50
README = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(files("cic.privacy"))),
    autoescape=False,  # noqa: S701 - plain text, not HTML
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    keep_trailing_newline=True,
).get_template("readme.txt")
MISSING = "Pliku nagrania nie ma już na dysku (np. usunięty po upływie okresu przechowywania)."


@dataclass
class ExportCounts:
    """What went into the archive (numbers only: they go into the audit log)."""

    resident_id: int
    calls: int = 0
    recordings: int = 0
    missing_files: int = 0
    transcripts: int = 0
    unredacted: int = 0
    reports: int = 0
    cases: int = 0
    callbacks: int = 0
    bytes: int = 0

    def audit(self) -> dict[str, int]:
        """The counts for the audit entry (no personal data)."""
        return {k: v for k, v in vars(self).items() if isinstance(v, int) and k != "resident_id"}


@dataclass(frozen=True)
class ExportContext:
    """What the export needs besides the store: the recordings root, the register of
    processing, whether unredacted text is kept, the office's time zone and a size limit."""

    root: Path
    register: dict[str, Any]
    unredacted_setting: bool
    timezone: str = "Europe/Warsaw"
    limit: int | None = None


def stored_audio_bytes(store: Store, scope: Scope) -> int:
    """The recorded size of the resident's audio files (checked against the limit first)."""

    def read(session: Session) -> int:
        total = 0
        for part in chunks(scope.calls):
            for model in (Recording, RecordingChannel):
                total += int(
                    session.scalar(select(func.sum(model.bytes)).where(model.call_id.in_(part)))
                    or 0
                )
        return total

    return store.run_sync(read)


def write_export(
    store: Store, resident_id: int, target: IO[bytes], ctx: ExportContext
) -> ExportCounts:
    """Write the resident's archive to ``target``; ``ResidentNotFound``, ``ExportTooLarge``."""
    scope = store.run_sync(lambda s: collect(s, load_subject(s, resident_id)))
    if ctx.limit is not None and stored_audio_bytes(store, scope) > ctx.limit:
        raise too_large(ctx.limit)
    counts = ExportCounts(resident_id)
    writer = ArchiveWriter(target, ctx.limit)
    try:
        _write(store, scope, writer, counts, ctx)
    except BaseException:
        writer.abort()
        raise
    writer.close()
    counts.bytes = writer.total
    return counts


def _write(
    store: Store, scope: Scope, writer: ArchiveWriter, counts: ExportCounts, ctx: ExportContext
) -> None:
    now = utcnow()
    today = now.astimezone(ZoneInfo(ctx.timezone)).date()
    writer.add_json("mieszkaniec.json", store.run_sync(lambda s: content.resident_record(s, scope)),
                    "wpis w kartotece mieszkańców z numerami telefonów")  # fmt: skip
    for part in chunks(scope.calls, BATCH):
        for call in store.run_sync(partial(content.calls_batch, ids=part)):
            _call(writer, call, counts, ctx.root)
    sections = store.run_sync(lambda s: _sections(s, scope, today))
    for name, rows, what in sections:
        writer.add_json(name, rows, what)
    counts.reports, counts.cases = len(sections[0][1]), len(sections[1][1])
    counts.callbacks = len(sections[2][1])
    _summary(writer, counts, ctx, now)


def _sections(session: Session, scope: Scope, today: date) -> list[tuple[str, Any, str]]:
    return [
        ("zgloszenia.json", content.reports(session, scope), "zgłoszenia z Pani/Pana rozmów"),
        ("sprawy.json", content.cases(session, scope, today), "sprawy powiązane z Panią/Panem"),
        ("oddzwonienia.json", content.callbacks(session, scope), "prośby o oddzwonienie"),
        ("historia-dostepu.json", content.access_history(session, scope),
         "kiedy i jakie czynności wykonano na danych"),
    ]  # fmt: skip


def _call(
    writer: ArchiveWriter, call: content.CallExport, counts: ExportCounts, root: Path
) -> None:
    counts.calls += 1
    audio = []
    for file in call.files:
        meta = {k: v for k, v in file.meta.items() if k not in ("path", "id")}
        try:
            real = inside(root, file.path)
        except UnsafePath:
            counts.missing_files += 1
            audio.append({**meta, "plik": None, "uwaga": MISSING})
            continue
        entry = writer.add_file(file.name, real, "nagranie rozmowy")
        counts.recordings += 1
        audio.append({**meta, "plik": file.name, "sha256_pliku": entry.sha256,
                      "zgodna_z_zapisana": entry.sha256 == meta.get("sha256")})  # fmt: skip
    data = {**call.data, "nagrania": audio, "transkrypcja": None}
    if call.transcript is not None:
        counts.transcripts += 1
        counts.unredacted += bool(data["transkrypcja_nieukryta_przechowywana"])
        name = f"{call.folder}/transkrypcja.json"
        writer.add_json(name, call.transcript, "transkrypcja (ukryte identyfikatory)")
        data["transkrypcja"] = name
    writer.add_json(f"{call.folder}/rozmowa.json", data, "rozmowa: przebieg, notatki, nagrania")


def _summary(
    writer: ArchiveWriter, counts: ExportCounts, ctx: ExportContext, now: datetime
) -> None:
    activities = for_residents(ctx.register)
    local = now.astimezone(ZoneInfo(ctx.timezone)).strftime("%Y-%m-%d %H:%M")
    summary = {
        "wygenerowano": now.isoformat(),
        "administrator": ctx.register["controller"],
        "inspektor_ochrony_danych": ctx.register["dpo"],
        "liczby": {k: v for k, v in vars(counts).items() if k != "bytes"},
        "transkrypcja_nieukryta_przechowywana": ctx.unredacted_setting,
        "pliki": [e.as_dict() for e in writer.entries],
        "cele_przetwarzania": [
            {k: a[k] for k in ("name", "purpose", "legal_basis", "data_categories", "recipients",
                               "retention")}
            for a in activities
        ],
        "panstwa_trzecie": ctx.register["third_countries"],
    }  # fmt: skip
    writer.add_json("podsumowanie.json", summary, "opis archiwum do odczytu maszynowego")
    text = README.render(
        register=ctx.register, activities=activities, counts=counts, generated_local=local,
        unredacted_setting=ctx.unredacted_setting,
    )  # fmt: skip
    writer.add_bytes("README.txt", text.encode("utf-8"), "opis archiwum (ten plik)")
