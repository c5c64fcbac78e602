"""Typed AMI actions: errors become PbxError; reloads wait for AMI when it is down."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from cic.asterisk.actions import AmiActions, PbxError


class FakeSession:
    """Answers AMI actions from a script; ``up`` False means AMI is not connected."""

    def __init__(self) -> None:
        self.up = True
        self.sent: list[dict[str, str]] = []
        self.reply: dict[str, str] = {"Response": "Success"}

    async def action(self, fields: dict[str, str], *, as_list: bool = False) -> Any:
        if not self.up:
            raise ConnectionError("AMI is not connected")
        self.sent.append(dict(fields))
        return self.reply


async def test_reload_waits_for_ami_and_happens_after_resync() -> None:
    session = FakeSession()
    actions = AmiActions(session)  # type: ignore[arg-type]
    session.up = False
    assert await actions.reload_when_possible("res_pjsip.so") is False
    assert actions.pending_reloads == {"res_pjsip.so"}
    session.up = True
    await actions.on_resync(frozenset(), datetime.now(UTC))
    assert session.sent == [{"Action": "Reload", "Module": "res_pjsip.so"}]
    assert actions.pending_reloads == set()


async def test_errors_and_tolerated_replies() -> None:
    session = FakeSession()
    actions = AmiActions(session)  # type: ignore[arg-type]
    session.reply = {"Response": "Error", "Message": "Unable to add interface: Already there"}
    await actions.queue_add("pierwsza-linia", "PJSIP/agent-anna", "Anna")  # already a member: fine
    session.reply = {"Response": "Error", "Message": "Interface not found"}
    with pytest.raises(PbxError, match="Interface not found"):
        await actions.queue_pause("PJSIP/agent-nikt", True, "przerwa")
    session.up = False
    with pytest.raises(PbxError, match="not connected"):
        await actions.queue_remove("pierwsza-linia", "PJSIP/agent-anna")
