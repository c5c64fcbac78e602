"""Residents' rights requests over the store: export (art. 15), rectification (art. 16),
erasure planned and carried out (art. 17), and the register of processing (art. 30).

Every request is audited (who, which resident, when, counts of what was included or changed)
without personal data in the entry; refused requests too. Names and numbers are never logged.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from sqlalchemy.orm import Session

from cic.auth import audit
from cic.config import Settings
from cic.db import Store
from cic.errors import CicError
from cic.privacy import erasure, rectification
from cic.privacy.errors import ErasureRefused
from cic.privacy.export import ExportContext, ExportCounts, write_export
from cic.privacy.register import load_register
from cic.privacy.schemas import Rectification, Rectified
from cic.privacy.scope import collect, load_subject
from cic.residents.models import Resident
from cic.residents.service import resident_json


@dataclass(frozen=True)
class Official:
    """Who makes the request: user name (``cli`` from the command line) and address."""

    username: str
    ip: str = ""


class PrivacyService:
    """The rights requests; ``forget_numbers`` drops erased numbers from in-memory indexes."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        recordings_root: Path,
        forget_numbers: Callable[[list[str]], None] | None = None,
    ) -> None:
        """``recordings_root`` is the recordings directory as this host sees it."""
        self.store = store
        self.settings = settings
        self.root = recordings_root
        self.forget_numbers = forget_numbers
        self.workdir = Path(settings.state_dir) / "rodo"

    def register(self) -> dict[str, Any]:
        """The register of processing activities, filled in from the current settings."""
        return load_register(self.settings)

    def _audit(self, action: str, resident_id: int, who: Official, **detail: Any) -> None:
        self.store.run_sync(
            lambda s: audit.record(
                s, action, actor=who.username, target=str(resident_id), ip=who.ip, **detail
            )
        )

    async def _refused(self, action: str, resident_id: int, who: Official, exc: CicError) -> None:
        exc.recorded = True
        await asyncio.to_thread(self._audit, action, resident_id, who, error=exc.error_id)

    # --- art. 15 -------------------------------------------------------------------------

    def export_to(
        self, resident_id: int, target: IO[bytes], who: Official, limit: int | None = None
    ) -> ExportCounts:
        """Write the resident's archive to ``target`` (blocking) and audit it."""
        ctx = ExportContext(
            root=self.root, register=self.register(),
            unredacted_setting=bool(self.settings.speech.unredacted_role),
            timezone=self.settings.office.timezone, limit=limit,
        )  # fmt: skip
        try:
            counts = write_export(self.store, resident_id, target, ctx)
        except CicError as exc:
            exc.recorded = True
            self._audit("privacy_export_refused", resident_id, who, error=exc.error_id)
            raise
        self._audit("privacy_export", resident_id, who, **counts.audit())
        return counts

    async def export_file(self, resident_id: int, who: Official) -> tuple[Path, ExportCounts]:
        """The archive in a private temporary file (the caller streams and deletes it); the
        size is limited by ``privacy.export_max_mb``."""
        return await asyncio.to_thread(self._export_temp, resident_id, who)

    def _export_temp(self, resident_id: int, who: Official) -> tuple[Path, ExportCounts]:
        self.workdir.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix="eksport-", suffix=".zip", dir=self.workdir)
        path = Path(name)
        try:
            with os.fdopen(fd, "wb") as target:
                counts = self.export_to(
                    resident_id, target, who, self.settings.privacy.export_max_mb << 20
                )
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return path, counts

    # --- art. 16 -------------------------------------------------------------------------

    async def rectify(self, resident_id: int, body: Rectification, who: Official) -> Rectified:
        """Correct the resident's record and their case-party entries (see ``rectification``)."""
        correction = rectification.parse(body)

        def work(session: Session) -> Rectified:
            scope = collect(session, load_subject(session, resident_id))
            changed = rectification.apply(session, scope, correction, who.username)
            audit.record(session, "privacy_rectified", actor=who.username,
                         target=str(resident_id), ip=who.ip, **changed)  # fmt: skip
            row = session.get(Resident, resident_id)
            assert row is not None
            return {"mieszkaniec": resident_json(session, row), "zmiany": changed}

        try:
            return await self.store.run(work)
        except CicError as exc:
            await self._refused("privacy_rectification_refused", resident_id, who, exc)
            raise

    # --- art. 17 -------------------------------------------------------------------------

    async def erasure(self, resident_id: int, who: Official, *, execute: bool) -> dict[str, Any]:
        """The erasure plan (``execute`` false: nothing changes) or its execution; refused with
        ``ErasureRefused`` (nothing changed) while ``blocked``."""
        days = self.settings.speech.retention_days

        def work(session: Session) -> tuple[erasure.Plan, list[str]]:
            plan = erasure.make_plan(
                session, collect(session, load_subject(session, resident_id)), days
            )
            if execute and plan.blocked:
                return plan, []
            paths = erasure.execute(session, plan) if execute else []
            action = "privacy_erasure" if execute else "privacy_erasure_planned"
            counts: dict[str, Any] = plan.counts()
            audit.record(session, action, actor=who.username, target=str(resident_id),
                         ip=who.ip, **counts)  # fmt: skip
            return plan, paths

        try:
            plan, paths = await self.store.run(work)
            if execute and plan.blocked:
                text = " ".join(plan.blocked)
                raise ErasureRefused(f"Usunięcie wstrzymane, nic nie zmieniono. {text}")
        except CicError as exc:
            await self._refused("privacy_erasure_refused", resident_id, who, exc)
            raise
        out = {**plan.as_dict(), "wykonano": execute, "podsumowanie": summary(plan, execute)}
        if execute:
            out["usuniete_pliki"] = await asyncio.to_thread(erasure.remove_files, self.root, paths)
            if self.forget_numbers is not None and plan.numbers:
                self.forget_numbers(plan.numbers)
        return out


def summary(plan: erasure.Plan, done: bool) -> str:
    """One Polish sentence on what erasure does (or did), as counts after a colon."""
    counts = plan.counts()
    head = "Wykonano" if done else "Plan"
    parts = [
        f"rozmowy z usuniętym nagraniem i transkrypcją — {counts['calls_purged']}",
        f"rozmowy zanonimizowane — {counts['calls_anonymised']}",
        f"zgłoszenia zanonimizowane — {counts['reports_anonymised']}",
        f"oddzwonienia zanonimizowane — {counts['callbacks_anonymised']}",
        "wpis w kartotece — " + ("usunięty" if plan.delete_resident else "zachowany"),
        f"rekordy zachowane — {counts['kept']} (powody w krokach)",
    ]
    text = f"{head}: " + "; ".join(parts) + "."
    if plan.blocked:
        text += " Wstrzymane: " + " ".join(plan.blocked)
    return text
