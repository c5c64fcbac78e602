"""Glue of callbacks to Asterisk: the placeholder Originate, the FastAGI scripts, the ticker.

FastAGI ``callback`` (from ``cic-queue-exit``) reads ``CIC_CALLID``, ``CIC_CB_NUMBER``,
``CIC_TARGET`` and ``CIC_CB_POS`` and sets ``CIC_CB_ID`` and then ``CIC_CB_STATUS`` (``ok``,
``bad_number`` or ``error``). FastAGI ``callback-progress`` (from ``cic-callback-dial``) reads
``CIC_CB_ID``, ``CIC_CB_ATTEMPT``, ``CIC_CB_STATUS`` and ``CIC_CB_AGENT``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping

from cic.asterisk import dialplan
from cic.asterisk.agi import AgiChannel, AgiServer
from cic.asterisk.ami import AmiSession
from cic.asterisk.originate import channel_exists, hangup, originate_local
from cic.callbacks.errors import InvalidNumber
from cic.callbacks.service import Callback, CallbackService
from cic.config import CallbackSettings

log = logging.getLogger(__name__)
# How long a placeholder may wait in its queue for an agent.
PLACEHOLDER_WAIT_SECONDS = 8 * 3600


class AmiPlacer:
    """Places placeholders with AMI Originate of ``Local/<id>@cic-callback-wait``."""

    def __init__(self, session: AmiSession, settings: CallbackSettings) -> None:
        self.session = session
        self.settings = settings

    def dial_string(self, number: str) -> str:
        """The Dial() target for a national number, from ``callback.dial``."""
        return self.settings.dial.format(number=self.settings.number_prefix + number)

    async def place(self, callback: Callback) -> None:
        """Put the request's placeholder into its queue at its position."""
        attempt = callback.attempts + 1
        await originate_local(
            self.session,
            local=f"{callback.id}@cic-callback-wait",
            context=dialplan.CALLBACK_DIAL_CONTEXT,
            exten=str(callback.id),
            channel_id=callback.placeholder_id,
            caller_id=f'"Oddzwonienie" <{callback.number}>',
            variables={
                dialplan.CB_ID: str(callback.id),
                dialplan.CB_ATTEMPT: str(attempt),
                dialplan.CB_CALL: callback.call_id,
                dialplan.CB_QUEUE: callback.queue,
                dialplan.CB_SHOWN: callback.shown_number or callback.number,
                dialplan.CB_POSITION: str(callback.position),
                dialplan.CB_DIAL: self.dial_string(callback.number),
                dialplan.CB_RING: str(self.settings.ring_seconds),
            },
            timeout_seconds=PLACEHOLDER_WAIT_SECONDS,
        )

    async def alive(self, placeholder_id: str) -> bool:
        """True while the placeholder (or its dialling half) is up."""
        return await channel_exists(self.session, placeholder_id)

    async def withdraw(self, placeholder_id: str) -> None:
        """Take the placeholder out of its queue (hang up both halves)."""
        await hangup(self.session, placeholder_id)


def _int(value: str | None, default: int = 0) -> int:
    try:
        return int(value or "")
    except ValueError:
        return default


def add_agi_scripts(server: AgiServer, service: CallbackService) -> None:
    """Serve the ``callback`` and ``callback-progress`` FastAGI scripts."""

    async def register(agi: AgiChannel, headers: Mapping[str, str]) -> None:
        call_id = await agi.get_variable(dialplan.CALL_ID) or headers.get("agi_uniqueid", "")
        number = await agi.get_variable(dialplan.CB_NUMBER) or ""
        queue = await agi.get_variable(dialplan.TARGET) or ""
        position = _int(await agi.get_variable(dialplan.CB_POSITION), 1)
        caller = headers.get("agi_callerid", "")
        try:
            callback = await service.register(call_id, number, queue, position, caller=caller)
        except InvalidNumber:
            await agi.set_variable(dialplan.CB_STATUS, "bad_number")
            return
        except Exception:
            log.exception("call %s: callback request failed", call_id)
            await agi.set_variable(dialplan.CB_STATUS, "error")
            return
        await agi.set_variable(dialplan.CB_ID, str(callback.id))
        await agi.set_variable(dialplan.CB_STATUS, "ok")

    async def progress(agi: AgiChannel, _headers: Mapping[str, str]) -> None:
        request_id = _int(await agi.get_variable(dialplan.CB_ID))
        attempt = _int(await agi.get_variable(dialplan.CB_ATTEMPT))
        status = await agi.get_variable(dialplan.CB_STATUS) or "UNKNOWN"
        agent = await agi.get_variable(dialplan.CB_AGENT) or ""
        if request_id <= 0 or attempt <= 0:
            log.warning("callback progress without a request id or attempt")
            return
        await service.progress(request_id, attempt, status, agent)

    server.add_script("callback", register)
    server.add_script("callback-progress", progress)


async def run_retries(service: CallbackService, interval: float = 5.0) -> None:
    """Place due retries every ``interval`` seconds (until cancelled)."""
    while True:
        await asyncio.sleep(interval)
        try:
            await service.tick()
        except Exception:
            log.exception("callback retries failed")
