"""Typed AMI actions; AMI errors become :class:`PbxError` with a stable error id."""

from __future__ import annotations

from typing import Any

from cic.asterisk.ami import AmiSession


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
