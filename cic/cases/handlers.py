"""FastAGI ``case-status``: the dialplan's case-status-by-phone step asks the controller.

Reads ``CIC_CASENO`` and ``CIC_CASEPIN`` (DTMF the resident keyed), sets ``CIC_CASE_FILE``
(the spoken status, when the PIN is right) and, last, ``CIC_CASE_RESULT`` (``ok``, ``wrong``,
``locked``). No ``CIC_CASE_RESULT`` means the controller failed: the dialplan hands the
resident to an agent.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping

from cic.asterisk import dialplan
from cic.asterisk.agi import AgiChannel, ScriptHandler, caller_field
from cic.cases.phone import PhoneStatus

log = logging.getLogger(__name__)
#: ``(call_id, text) -> path of the spoken file as Asterisk sees it, without extension``.
Speaker = Callable[[str, str], Awaitable[str]]


def case_status_script(phone: PhoneStatus, speak: Speaker) -> ScriptHandler:
    """The FastAGI handler of ``case-status``."""

    async def handle(agi: AgiChannel, headers: Mapping[str, str]) -> None:
        call_id = await agi.get_variable(dialplan.CALL_ID) or headers.get("agi_uniqueid", "")
        code = (await agi.get_variable(dialplan.CASE_NUMBER) or "")[:20]
        pin = (await agi.get_variable(dialplan.CASE_PIN) or "")[:20]
        answer = await phone.check(caller_field(headers.get("agi_callerid")), code, pin)
        if answer.result == "ok":
            await agi.set_variable(dialplan.CASE_FILE, await speak(call_id, answer.text))
        await agi.set_variable(dialplan.CASE_RESULT, answer.result)
        log.info("call %s: case status by phone: %s", call_id, answer.result)

    return handle
