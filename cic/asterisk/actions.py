"""Typed AMI actions; AMI errors become :class:`PbxError` with a stable error id."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from cic.asterisk.ami import AmiSession
from cic.errors import CicError

log = logging.getLogger(__name__)

#: panoramisk 1.4 reads the action's ``Async`` header when a reply says "... successfully
#: queued" (Atxfer, CancelAtxfer) and, without it, raises KeyError inside its protocol: the AMI
#: connection drops. Asterisk ignores the header on these actions.
SYNC = {"Async": "false"}


class PbxError(CicError):
    """An AMI action failed or AMI is not connected."""

    status = 503
    error_id = "pbx_unavailable"
    default_message = "Centrala jest niedostępna."

    def __init__(self, action: str, message: str) -> None:
        super().__init__(f"Centrala niedostępna: {action}: {message}")
        self.action = action


class AmiActions:
    """The PBX operations domain services use (they see only this small surface)."""

    def __init__(self, session: AmiSession) -> None:
        self.session = session
        self.pending_reloads: set[str] = set()

    async def _send(self, fields: dict[str, str], tolerate: str = "") -> Any:
        # AMI is line-based: a CR or LF in a value would add headers or a whole action.
        for key, value in fields.items():
            if "\r" in value or "\n" in value:
                raise PbxError(fields["Action"], f"{key}: niedozwolony koniec wiersza")
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

    async def set_var(self, channel: str, name: str, value: str) -> None:
        """Set a variable on a live channel (``__NAME`` is inherited by channels it creates)."""
        await self._send({"Action": "Setvar", "Channel": channel, "Variable": name, "Value": value})

    async def atxfer(self, channel: str, context: str, exten: str) -> None:
        """Start an attended transfer (consult) from ``channel``, the agent's bridged channel.

        Asterisk queues the ``atxfer`` feature code and ``exten`` on the channel, so the channel
        must be allowed to transfer (Queue/Dial option ``t``); the resident hears hold music.
        """
        await self._send(
            {"Action": "Atxfer", "Channel": channel, "Context": context, "Exten": exten, **SYNC}
        )

    async def cancel_atxfer(self, channel: str) -> None:
        """Abort the consult of ``channel`` (the ``atxferabort`` code): back to the resident."""
        await self._send({"Action": "CancelAtxfer", "Channel": channel, **SYNC})

    async def blind_transfer(self, channel: str, context: str, exten: str) -> None:
        """Send the party bridged with ``channel`` to ``context``/``exten`` (``channel`` ends)."""
        fields = {"Action": "BlindTransfer", "Channel": channel, "Context": context}
        await self._send({**fields, "Exten": exten, **SYNC})

    async def hangup(self, channel: str) -> None:
        """Hang up ``channel`` (during a consult: the transferer leaves, the transfer completes)."""
        await self._send({"Action": "Hangup", "Channel": channel, "Cause": "16"})

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
