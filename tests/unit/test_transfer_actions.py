"""The AMI actions transfers use: exact fields sent, errors become PbxError."""

from __future__ import annotations

import pytest

from cic.asterisk.actions import AmiActions, PbxError
from tests.unit.test_actions import FakeSession

CHAN = "PJSIP/agent-anna-0000000a"


async def test_transfer_actions_send_what_asterisk_expects() -> None:
    session = FakeSession()
    actions = AmiActions(session)  # type: ignore[arg-type]
    await actions.set_var(CHAN, "__CIC_XFER_DEST", "PJSIP/agent-bob")
    await actions.atxfer(CHAN, "cic-consult", "1")
    await actions.cancel_atxfer(CHAN)
    await actions.blind_transfer(CHAN, "cic-blind", "q-finanse")
    await actions.hangup(CHAN)
    assert session.sent == [
        {"Action": "Setvar", "Channel": CHAN, "Variable": "__CIC_XFER_DEST",
         "Value": "PJSIP/agent-bob"},
        # "Async: false" keeps panoramisk from failing on "... successfully queued" replies
        {"Action": "Atxfer", "Channel": CHAN, "Context": "cic-consult", "Exten": "1",
         "Async": "false"},
        {"Action": "CancelAtxfer", "Channel": CHAN, "Async": "false"},
        {"Action": "BlindTransfer", "Channel": CHAN, "Context": "cic-blind",
         "Exten": "q-finanse", "Async": "false"},
        {"Action": "Hangup", "Channel": CHAN, "Cause": "16"},
    ]  # fmt: skip


async def test_refused_transfer_is_a_pbx_error() -> None:
    session = FakeSession()
    session.reply = {"Response": "Error", "Message": "No attended transfer feature code found"}
    actions = AmiActions(session)  # type: ignore[arg-type]
    with pytest.raises(PbxError, match="Atxfer: No attended transfer feature code found"):
        await actions.atxfer(CHAN, "cic-consult", "1")
    session.up = False
    with pytest.raises(PbxError, match="CancelAtxfer: AMI is not connected"):
        await actions.cancel_atxfer(CHAN)
