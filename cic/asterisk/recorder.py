"""Record AMI events from a live Asterisk for tracker fixtures, with personal data scrubbed.

Fixtures are made from calls placed with made-up numbers; as a second guard, every caller
number and name that is not an agent endpoint is replaced by a consistent made-up value.
"""

from __future__ import annotations

import asyncio
from threading import Event
from typing import Any

from panoramisk import Manager

SCRUB_NUMBER = ("CallerIDNum", "ConnectedLineNum", "DestCallerIDNum", "DestConnectedLineNum")
SCRUB_NAME = ("CallerIDName", "ConnectedLineName", "DestCallerIDName", "DestConnectedLineName")
DROP = ("Privilege", "ActionID", "SystemName")


class Scrubber:
    """Maps real-looking numbers and names to made-up ones, consistently within a recording."""

    def __init__(self, keep: frozenset[str] = frozenset({"<unknown>", ""})) -> None:
        self.keep = keep
        self.numbers: dict[str, str] = {}
        self.names: dict[str, str] = {}

    def _keep(self, value: str) -> bool:
        return value in self.keep or value.startswith("agent-") or value.isalpha()

    def event(self, event: dict[str, str]) -> dict[str, str]:
        """A scrubbed copy of ``event``."""
        out = {k: v for k, v in event.items() if k not in DROP}
        for key in SCRUB_NUMBER:
            value = out.get(key)
            if value is not None and not self._keep(value):
                out[key] = self.numbers.setdefault(value, f"48500100{len(self.numbers) + 1:03d}")
        for key in SCRUB_NAME:
            value = out.get(key)
            if value is not None and value not in self.keep and not value.startswith("Konsultant"):
                out[key] = self.names.setdefault(value, f"Mieszkaniec {len(self.names) + 1}")
        return out


async def record(
    host: str, port: int, user: str, secret: str, seconds: float, stop: Event | None = None
) -> list[dict[str, Any]]:
    """Collect every AMI event for ``seconds`` or until ``stop`` is set (scrubbed, in order)."""
    events: list[dict[str, Any]] = []
    scrub = Scrubber()
    manager = Manager(host=host, port=port, username=user, secret=secret, ping_delay=60)
    manager.register_event("*", lambda _m, e: events.append(scrub.event(dict(e))))
    await manager.connect()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    try:
        while loop.time() < deadline and not (stop and stop.is_set()):  # noqa: ASYNC110 - threading.Event
            await asyncio.sleep(0.1)
    finally:
        manager.close()
    return events
