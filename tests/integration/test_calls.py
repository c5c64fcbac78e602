"""Calls to the municipal number through a real Asterisk, the real controller and SIPp phones."""

from __future__ import annotations

import signal
import wave
from array import array
from pathlib import Path

import pytest

from cic.asterisk.prompts import synthesize
from cic.demo.pcap import wav_to_pcap
from cic.demo.scenarios import AgentPhone, ResidentCall
from tests.integration.harness import Harness

pytestmark = pytest.mark.integration
DTMF_1 = "/usr/share/sip-tester/dtmf_2833_1.pcap"


@pytest.fixture(scope="module")
def speech(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A pcap of Polish speech a resident plays into the call."""
    folder = tmp_path_factory.mktemp("speech")
    wav = folder / "resident.wav"
    synthesize("Dzień dobry, dzwonię w sprawie opłaty za odpady komunalne.", wav)
    wav_to_pcap(wav, folder / "resident.pcap")
    return str(folder / "resident.pcap")


def peak(path: Path) -> int:
    """The largest absolute sample of a 16-bit WAV file."""
    with wave.open(str(path)) as w:
        assert w.getsampwidth() == 2
        samples = array("h", w.readframes(w.getnframes()))
    return max((abs(s) for s in samples), default=0)


def test_answered_call_has_queue_agent_times_and_recording(pbx: Harness, speech: str) -> None:
    """A resident who speaks reaches an agent; the record and the recording are complete."""
    pbx.login("anna", AgentPhone(ring_ms=1500, audio_pcap=speech))
    # The resident speaks once the notice is over and the call is with the agent.
    resident = ResidentCall(number="48500100201", name="Jan Testowy", audio_pcap=speech,
                            audio_after_ms=15_000, hangup_after_ms=8_000)  # fmt: skip
    call = pbx.complete_call(resident, lambda c: bool(c["ended_at"] and c["recordings"]), 30)
    assert call["outcome"] == "answered"
    assert call["queue"] == "pierwsza-linia"
    assert call["agent"] == "PJSIP/agent-anna"
    assert call["caller_number"] == "48500100201"
    assert call["caller_name"] == "Jan Testowy"
    assert call["routing_action"] == "queue" and call["routing_reason"] == "first_line"
    assert call["recording_consent"] == "given"
    assert 1.0 <= call["wait_seconds"] <= 10, call
    assert call["talk_seconds"] >= 2, call
    [rec] = call["recordings"]
    path = Path(rec["path"])
    assert path.name == f"{call['call_id']}.wav"
    assert rec["bytes"] == path.stat().st_size > 44 + 16000
    assert rec["duration_seconds"] > 2
    assert peak(path) > 1000, "the recording holds only silence"
    types = [e["type"] for e in call["timeline"]]
    for expected in ("CallEntered", "CallRouted", "CallQueued", "CallOffered", "CallAnswered",
                     "CallEnded"):  # fmt: skip
        assert expected in types, types
    assert types.index("CallQueued") < types.index("CallAnswered") < types.index("CallEnded")


def test_paused_agent_gets_no_call_the_other_does(pbx: Harness) -> None:
    """An agent paused with a reason is skipped; the available agent answers."""
    pbx.login("celina")
    pbx.login("dawid")
    paused = pbx.api("POST", "/api/agents/celina/pause", {"reason": "szkolenie"})
    assert paused["state"] == "paused" and paused["pause_reason"] == "szkolenie"
    for _ in range(2):
        pbx.wait_for(
            lambda: pbx.api("GET", "/api/agents/dawid")["state"] == "available", 20, "dawid free"
        )
        call = pbx.complete_call(ResidentCall(number="48500100202", hangup_after_ms=14_000))
        assert call["outcome"] == "answered"
        assert call["agent"] == "PJSIP/agent-dawid"
        assert pbx.api("GET", "/api/agents/celina")["state"] == "paused"


def test_no_agent_caller_gives_up_abandoned_with_wait(pbx: Harness) -> None:
    """Nobody logged in: the resident waits in the queue, hangs up; the record says abandoned."""
    call = pbx.complete_call(ResidentCall(number="48500100203", hangup_after_ms=18_000))
    assert call["outcome"] == "abandoned"
    assert call["queue"] == "pierwsza-linia"
    assert call["agent"] is None
    assert 2 <= call["wait_seconds"] <= 10, call
    assert not call["answered_at"]


def test_caller_opts_out_no_recording(pbx: Harness) -> None:
    """Pressing a key during the notice continues the call without recording."""
    pbx.login("edyta")
    call = pbx.complete_call(ResidentCall(number="48500100204", dtmf_pcaps=(DTMF_1,),
                                          dtmf_after_ms=1500, hangup_after_ms=12_000))  # fmt: skip
    assert call["recording_consent"] == "declined"
    assert call["outcome"] == "answered"
    assert call["recordings"] == []
    found = pbx.recording_files(call["call_id"])
    assert found == [], f"a recording exists although the caller opted out: {found}"


ODD_CALLERS = [
    ("48500100205", "O'Brien"),
    ("$(reboot)", "Jan"),
    ("48500100206", "'; DROP TABLE calls;--"),
    ("48500100207", "<script>alert(1)</script>"),
    ("48500100208", "Zażółć gęślą jaźń " * 16 + "koniec"),
    ("", ""),
]


def test_odd_caller_ids_routed_and_stored_verbatim(pbx: Harness) -> None:
    """Quotes, shell and SQL metacharacters, markup, 300 characters, empty: all routed, kept."""
    pbx.login("filip")
    for number, name in ODD_CALLERS:
        call = pbx.complete_call(ResidentCall(number=number, name=name, hangup_after_ms=17_000))
        assert call["outcome"] == "answered", (number, name, call)
        assert call["routing_reason"] == "first_line"
        assert call["caller_number"] == number
        if len(name) < 80:
            assert call["caller_name"] == name
        else:  # PJSIP keeps the first bytes of a long display name; we store what Asterisk has
            assert len(call["caller_name"]) >= 40 and name.startswith(call["caller_name"])
        for rec in call["recordings"]:
            assert Path(rec["path"]).name == f"{call['call_id']}.wav"


def test_returning_caller_goes_to_last_agent(pbx: Harness) -> None:
    """A resident who calls again is routed to the agent who helped them, if available."""
    pbx.login("gosia")
    before = pbx.call_ids()
    first = pbx.call(ResidentCall(number="48500100209", hangup_after_ms=17_000))
    assert first.wait(60) == 0, first.errors()
    pbx.wait_call(before, lambda c: c["outcome"] == "answered" and bool(c["ended_at"]))
    pbx.login("henryk")
    pbx.wait_for(
        lambda: pbx.api("GET", "/api/agents/gosia")["state"] == "available", 40, "wrap-up end"
    )
    before = pbx.call_ids()
    again = pbx.call(ResidentCall(number="48500100209", hangup_after_ms=17_000))
    assert again.wait(60) == 0, again.errors()
    call = pbx.wait_call(before, lambda c: bool(c["ended_at"]))
    assert call["routing_action"] == "agent"
    assert call["routing_reason"] == "returning_caller:PJSIP/agent-gosia"
    assert call["agent"] == "PJSIP/agent-gosia"
    assert call["outcome"] == "answered"


def test_controller_stopped_call_still_answered(pbx: Harness) -> None:
    """With the controller down the dialplan falls back to the first-line queue at once."""
    phone = pbx.login("iga", calls=1)
    pbx.stop_controller()
    caller = pbx.call(ResidentCall(number="48500100210", hangup_after_ms=17_000))
    assert caller.wait(60) == 0, caller.errors()
    # The agent's phone takes exactly one call and exits 0 only if it was answered and ended.
    assert phone.wait(20) == 0, phone.errors()


def test_controller_restarted_during_call_completes_record(pbx: Harness) -> None:
    """The controller crashes while a call is up; after resync the record is completed."""
    pbx.login("jacek")
    before = pbx.call_ids()
    caller = pbx.call(ResidentCall(number="48500100211", hangup_after_ms=30_000))
    call = pbx.wait_call(before, lambda c: c["outcome"] == "answered", timeout=30)
    assert call["answered_at"] and not call["ended_at"]
    pbx.stop_controller(signal.SIGKILL)
    pbx.start_controller()
    assert caller.wait(60) == 0, caller.errors()
    done = pbx.wait_call(before, lambda c: bool(c["ended_at"]), timeout=30)
    assert done["call_id"] == call["call_id"]
    assert done["outcome"] == "answered"
    assert done["agent"] == "PJSIP/agent-jacek"
    assert done["talk_seconds"] >= 10, done


def test_after_hours_message_becomes_a_record(pbx: Harness, speech: str) -> None:
    """Closed office: the resident hears it, presses 1 and leaves a message on the record."""
    pbx.api("POST", "/api/office/mode", {"mode": "closed", "by": "test"})
    try:
        resident = ResidentCall(
            number="48500100212",
            dtmf_pcaps=(DTMF_1,),
            dtmf_after_ms=14_500,
            audio_pcap=speech,
            audio_after_ms=3_000,
            hangup_after_ms=7_000,
        )
        call = pbx.complete_call(
            resident, lambda c: bool(c["ended_at"]) and len(c["recordings"]) == 2, timeout=30
        )
    finally:
        pbx.api("POST", "/api/office/mode", {"mode": "auto", "by": "test"})
    assert call["routing_action"] == "closed"
    assert call["routing_reason"] == "closed_override"
    assert call["outcome"] == "message"
    [message] = [r for r in call["recordings"] if r["kind"] == "message"]
    assert Path(message["path"]).name == f"{call['call_id']}.wav"
    assert message["duration_seconds"] > 2
    assert peak(Path(message["path"])) > 1000, "the message holds only silence"


def test_asterisk_restart_controller_reconnects_and_restores_agents(pbx: Harness) -> None:
    """Asterisk forgets queue members on restart; the controller reconnects and re-adds them."""
    from cic.asterisk import process, provision

    pbx.login("kasia")
    logins = pbx.api("GET", "/api/status")["ami"]["logins"]
    layout = provision.locate(pbx.settings)
    process.stop(layout)
    process.start(layout, pbx.settings.asterisk.ami_port)

    def reconnected() -> bool:
        ami = pbx.api("GET", "/api/status")["ami"]
        return bool(ami["connected"] and ami["logins"] > logins)

    pbx.wait_for(reconnected, 40, "the controller to log in to the new Asterisk")
    pbx.wait_for(
        lambda: "PJSIP/agent-kasia" in process.rx(layout, "queue show pierwsza-linia"),
        20,
        "kasia back in the first-line queue",
    )
    call = pbx.complete_call(ResidentCall(number="48500100213", hangup_after_ms=17_000))
    assert call["outcome"] == "answered"
    assert call["agent"] == "PJSIP/agent-kasia"
