"""AMI sends caller IDs C-escaped; the tracker restores what the caller sent."""

from __future__ import annotations

import pytest

from cic.asterisk.tracker import Tracker
from cic.asterisk.tracker_parse import unescape_c
from cic.events import CallEntered


@pytest.mark.parametrize(
    ("sent", "meant"),
    [
        ("O\\'Brien", "O'Brien"),
        ('say \\"hi\\"', 'say "hi"'),
        ("back\\\\slash", "back\\slash"),
        ("$(reboot)", "$(reboot)"),
        ("trailing\\", "trailing\\"),
        ("\\x41", "\\x41"),
        ("Zażółć", "Zażółć"),
    ],
)
def test_unescape_c(sent: str, meant: str) -> None:
    assert unescape_c(sent) == meant


def test_call_entered_carries_unescaped_name() -> None:
    tracker = Tracker()
    out = tracker.feed(
        {
            "Event": "UserEvent",
            "UserEvent": "CicCall",
            "Channel": "PJSIP/residents-00000001",
            "Uniqueid": "1795887816.0",
            "Linkedid": "1795887816.0",
            "CallerIDNum": "48500100205",
            "CallerIDName": "O\\'Brien",
            "CallId": "1795887816.0",
            "Dialled": "1000",
            "Timestamp": "1795887816.100000",
        }
    )
    [entered] = [e for e in out if isinstance(e, CallEntered)]
    assert entered.caller_name == "O'Brien"
    assert entered.caller_number == "48500100205"
