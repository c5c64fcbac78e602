"""The office's recording policy, rendered into the dialplan: opt-in and never."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from cic.asterisk import process, provision
from cic.cli.lifecycle import install
from cic.config import load_settings
from cic.demo.scenarios import ResidentCall
from tests.integration.harness import Harness

pytestmark = pytest.mark.integration
DTMF_1 = "/usr/share/sip-tester/dtmf_2833_1.pcap"


@pytest.fixture
def policy(pbx: Harness) -> Iterator[Callable[[str], None]]:
    """Returns a setter that re-renders the dialplan with another policy and reloads it."""
    layout = provision.locate(pbx.settings)

    def set_policy(name: str) -> None:
        install(load_settings(environ={**pbx.env, "CIC_OFFICE__RECORDING_POLICY": name}))
        process.rx(layout, "dialplan reload")

    yield set_policy
    set_policy(pbx.settings.office.recording_policy)


def test_opt_in_records_only_after_key_one(pbx: Harness, policy: Callable[[str], None]) -> None:
    """Without a key the call goes on unrecorded; key 1 gives consent and starts recording."""
    policy("opt-in")
    pbx.login("marek")
    results = {}
    for pressed in (False, True):
        pbx.wait_for(
            lambda: pbx.api("GET", "/api/agents/marek")["state"] == "available", 20, "marek free"
        )
        before = pbx.call_ids()
        resident = ResidentCall(
            number="48500100215",
            dtmf_pcaps=(DTMF_1,) if pressed else (),
            dtmf_after_ms=2_000,
            hangup_after_ms=17_000,
        )
        caller = pbx.call(resident)
        assert caller.wait(60) == 0, caller.errors()
        results[pressed] = pbx.wait_call(
            before, lambda c, p=pressed: bool(c["ended_at"]) and (not p or bool(c["recordings"]))
        )
    assert results[False]["recording_consent"] == "declined"
    assert results[False]["recordings"] == []
    assert pbx.recording_files(results[False]["call_id"]) == []
    assert results[True]["recording_consent"] == "given"
    assert len(results[True]["recordings"]) == 1
    assert all(r["outcome"] == "answered" for r in results.values())


def test_never_records_nothing(pbx: Harness, policy: Callable[[str], None]) -> None:
    """Policy never: a welcome instead of the notice, no recording, consent not asked."""
    policy("never")
    pbx.login("natalia")
    call = pbx.complete_call(ResidentCall(number="48500100216", hangup_after_ms=12_000))
    assert call["recording_consent"] == "not_asked"
    assert call["outcome"] == "answered"
    assert call["recordings"] == []
    assert pbx.recording_files(call["call_id"]) == []
