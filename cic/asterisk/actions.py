"""Typed AMI actions; AMI errors become :class:`PbxError` with a stable error id."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from cic.asterisk.ami import AmiSession

log = logging.getLogger(__name__)


class PbxError(RuntimeError):
    """An AMI action failed or AMI is not connected."""

    status = 503
    error_id = "pbx_unavailable"

    def __init__(self, action: str, message: str) -> None:
        super().__init__(f"{action}: {message}")
        self.action = action


class AmiActions:
    """The PBX operations domain services use (they see only this small surface)."""

    def __init__(self, session: AmiSession) -> None:
        self.session = session
        self.pending_reloads: set[str] = set()

    async def _send(self, fields: dict[str, str], tolerate: str = "") -> Any:
        try:
            reply = await self.session.action(fields)
        except ConnectionError as exc:
            raise PbxError(fields["Action"], str(exc)) from exc
        if reply is None or str(reply.get("Response", "")).lower() != "success":
            message = reply.get("Message", "no reply") if reply is not None else "no reply"
            if tolerate and tolerate in str(message):
                return reply
            raise PbxError(fields["Action"], str(message))
        return reply

    async def queue_add(
        self, queue: str, interface: str, member_name: str, penalty: int = 0
    ) -> None:
        """Log an agent's device into a queue (the device is its own state interface)."""
        await self._send(
            {
                "Action": "QueueAdd",
                "Queue": queue,
                "Interface": interface,
                "MemberName": member_name,
                "StateInterface": interface,
                "Penalty": str(penalty),
                "Paused": "false",
            },
            tolerate="Already there",
        )

    async def queue_remove(self, queue: str, interface: str) -> None:
        """Log an agent's device out of a queue."""
        await self._send(
            {"Action": "QueueRemove", "Queue": queue, "Interface": interface}, tolerate="Not there"
        )

    async def queue_pause(self, interface: str, paused: bool, reason: str = "") -> None:
        """Pause (with a reason) or unpause an agent in every queue they are in."""
        fields = {"Action": "QueuePause", "Interface": interface, "Paused": str(paused).lower()}
        if reason:
            fields["Reason"] = reason
        await self._send(fields)

    async def reload(self, module: str) -> None:
        """Reload one module's configuration (e.g. ``res_pjsip.so`` after an agent is added)."""
        await self._send({"Action": "Reload", "Module": module})

    async def reload_when_possible(self, module: str) -> bool:
        """Reload ``module`` now, or after the next AMI resync if AMI cannot be reached."""
        self.pending_reloads.add(module)
        return await self._retry_reloads()

    async def on_resync(self, _live: frozenset[str], _at: datetime) -> None:
        """AMI is back: reload what changed meanwhile."""
        await self._retry_reloads()

    async def _retry_reloads(self) -> bool:
        for module in sorted(self.pending_reloads):
            try:
                await self.reload(module)
            except PbxError as exc:
                log.warning("%s: configuration rendered; reload once AMI is back", exc)
                return False
            self.pending_reloads.discard(module)
        return True
