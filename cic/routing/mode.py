"""The office's opening-mode switch, kept in the store and read on every routing decision."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any, Literal, cast, get_args

from sqlalchemy.orm import Session

from cic.bus import Bus
from cic.db import Store
from cic.routing.errors import RoutingError
from cic.routing.models import OfficeMode

log = logging.getLogger(__name__)
Mode = Literal["auto", "open", "closed"]
MODES: tuple[str, ...] = get_args(Mode)
MODE_LABELS_PL = {
    "auto": "według godzin pracy i świąt",
    "open": "dyżur: otwarte mimo godzin",
    "closed": "zamknięte do odwołania",
}


class InvalidMode(RoutingError):
    """The requested mode is not one of auto, open, closed."""

    status = 400
    error_id = "invalid_office_mode"


class OfficeModeSwitch:
    """Holds the current mode in memory (the hot path) and in the store (restarts)."""

    def __init__(self, store: Store, bus: Bus) -> None:
        self.store = store
        self.bus = bus
        self.mode: Mode = "auto"
        self.changed_by = ""
        self.changed_at: datetime | None = None

    def __call__(self) -> Mode:
        """The mode now (what :class:`RoutingService` asks on every call)."""
        return self.mode

    async def load(self) -> None:
        """Read the saved mode."""

        def read(session: Session) -> tuple[str, str, datetime | None] | None:
            row = session.get(OfficeMode, 1)
            return None if row is None else (row.mode, row.changed_by, row.changed_at)

        saved = await self.store.run(read)
        if saved and saved[0] in MODES:
            self.mode = cast(Mode, saved[0])
            self.changed_by, self.changed_at = saved[1], saved[2]

    async def set(self, mode: str, changed_by: str) -> dict[str, Any]:
        """Switch the mode, save it and announce it on the bus."""
        if mode not in MODES:
            raise InvalidMode(f"Tryb pracy urzędu musi być jednym z: {', '.join(MODES)}.")
        now = datetime.now(UTC)

        def write(session: Session) -> None:
            row = session.get(OfficeMode, 1) or OfficeMode(id=1)
            row.mode, row.changed_by, row.changed_at = mode, changed_by[:64], now
            session.add(row)

        await self.store.run(write)
        self.mode, self.changed_by, self.changed_at = cast(Mode, mode), changed_by[:64], now
        log.warning("office mode set to %s by %s", mode, changed_by)
        try:
            await self.bus.publish("office", {"type": "OfficeMode", **self.as_dict()})
        except Exception:
            log.exception("could not publish the office mode")
        return self.as_dict()

    def as_dict(self) -> dict[str, Any]:
        """The mode as JSON."""
        return {
            "mode": self.mode,
            "label": MODE_LABELS_PL[self.mode],
            "changed_by": self.changed_by,
            "changed_at": self.changed_at.isoformat() if self.changed_at else None,
        }
