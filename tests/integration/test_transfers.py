"""Transfers on the real Asterisk with SIPp residents and agents, driven through the API.

Every SIPp agent answers by itself; a call needs ~17 s (recording notice and the opt-out key
wait) before it reaches the first line, so each test places one call and works it.
The controller drives the transfer over AMI on the first agent's channel (Atxfer,
CancelAtxfer, Hangup, BlindTransfer); the checks read the API, ``core show channels`` and the
recording file.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cic.agents.models import Queue
from cic.asterisk import process, provision
from cic.asterisk.prompts import synthesize
from cic.db import Store
from cic.demo.pcap import wav_to_pcap
from cic.demo.runner import Sipp
from cic.demo.scenarios import AgentPhone, ResidentCall, agent_xml
from cic.errors import CommandError
from tests.integration.harness import Harness

pytestmark = pytest.mark.integration
NOTE = "Pyta o ulgę w podatku rolnym; „pilne” <b>"


@pytest.fixture(scope="module")
def speech(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A pcap of Polish speech the resident plays once they talk to the colleague."""
    folder = tmp_path_factory.mktemp("speech")
    wav = folder / "resident.wav"
    synthesize("Dzień dobry, chciałbym zapytać o ulgę w podatku rolnym.", wav)
    wav_to_pcap(wav, folder / "resident.pcap")
    return str(folder / "resident.pcap")


# --------------------------------------------------------------------------- helpers


def answered_call(pbx: Harness, before: set[str], agent: str) -> dict[str, Any]:
    """The new call once ``agent`` answered it (still going)."""
    return pbx.wait_call(
        before,
        lambda c: c["outcome"] == "answered" and c["agent"] == f"PJSIP/agent-{agent}",
        timeout=45,
    )


def transfers(pbx: Harness, call_id: str) -> list[dict[str, Any]]:
    """Every transfer of the call with its legs."""
    return list(pbx.api("GET", f"/api/calls/{call_id}/transfers"))


def wait_transfer(
    pbx: Harness,
    call_id: str,
    done: Callable[[dict[str, Any]], bool],
    what: str,
    timeout: float = 30,
) -> dict[str, Any]:
    """Poll the call's latest transfer until ``done``."""
    box: dict[str, Any] = {}

    def check() -> bool:
        found = transfers(pbx, call_id)
        box["t"] = found[-1] if found else {}
        return bool(found) and done(found[-1])

    pbx.wait_for(check, timeout, what, lambda: box.get("t"))
    return dict(box["t"])


def steps(transfer: dict[str, Any]) -> list[str]:
    """The transfer's legs in order."""
    return [leg["step"] for leg in transfer["legs"]]


def answered_by_colleague(transfer: dict[str, Any]) -> bool:
    """The colleague picked up the consult."""
    return "ConsultAnswered" in steps(transfer)


def consult(pbx: Harness, call_id: str, colleague: str) -> dict[str, Any]:
    """Start a consult with ``colleague`` (as the API token user: a supervisor's rights)."""
    body = {"kind": "consult", "target": {"agent": colleague}, "note": NOTE}
    started = pbx.api("POST", f"/api/calls/{call_id}/transfer", body)
    assert started["state"] == "consulting" and started["note"] == NOTE
    return dict(started)


def channels(pbx: Harness) -> list[list[str]]:
    """``core show channels concise`` rows: channel!context!exten!prio!state!app!data!..."""
    out = process.rx(provision.locate(pbx.settings), "core show channels concise")
    return [line.split("!") for line in out.splitlines() if "!" in line]


def channel_of(pbx: Harness, prefix: str) -> list[str] | None:
    """The live channel whose name starts with ``prefix``, if any."""
    return next((row for row in channels(pbx) if row[0].startswith(prefix)), None)


def hang_up(pbx: Harness, prefix: str) -> None:
    """Hang up the live channel starting with ``prefix`` (test clean-up)."""
    row = channel_of(pbx, prefix)
    if row is not None:
        process.rx(provision.locate(pbx.settings), f"channel request hangup {row[0]}")


def timeline(call: dict[str, Any]) -> list[str]:
    """The call record's event types in order."""
    return [e["type"] for e in call["timeline"]]


# --------------------------------------------------------------------------- tests


def test_consult_and_return(pbx: Harness) -> None:
    """Resident on hold, agent asks a colleague, comes back; the call goes on with the agent."""
    pbx.login("xala")
    pbx.agent("xbeata", AgentPhone(ring_ms=1000))
    before = pbx.call_ids()
    caller = pbx.call(ResidentCall(number="48500100501", hangup_after_ms=40_000))
    call = answered_call(pbx, before, "xala")
    consult(pbx, call["call_id"], "xbeata")
    wait_transfer(pbx, call["call_id"], answered_by_colleague, "the colleague to answer")
    assert channel_of(pbx, "PJSIP/agent-xbeata-") is not None
    back = pbx.api("POST", f"/api/calls/{call['call_id']}/transfer/cancel", {})
    assert back["state"] == "returned"
    done = wait_transfer(pbx, call["call_id"], lambda t: "ConsultEnded" in steps(t), "return")
    assert done["state"] == "returned" and done["ended_at"]
    pbx.wait_for(lambda: channel_of(pbx, "PJSIP/agent-xbeata-") is None, 10, "colleague gone")
    assert channel_of(pbx, "PJSIP/agent-xala-") is not None, "the agent lost the resident"
    assert caller.wait(90) == 0, caller.errors()
    record = pbx.wait_call(before, lambda c: bool(c["ended_at"] and c["recordings"]), 30)
    types = timeline(record)
    assert types.index("ConsultRinging") < types.index("ConsultAnswered")
    assert types.index("ConsultAnswered") < types.index("ConsultEnded") < types.index("CallEnded")
    assert "CallTransferred" not in types
    assert record["agent"] == "PJSIP/agent-xala"


def test_attended_transfer_completed_recording_goes_on(pbx: Harness, speech: str) -> None:
    """Consult, then complete: the resident talks to the colleague; one recording keeps growing."""
    pbx.login("xcezary")
    pbx.agent("xdorota", AgentPhone(ring_ms=1000))
    before = pbx.call_ids()
    # The resident speaks only once they are with the colleague (well after the transfer).
    resident = ResidentCall(number="48500100502", audio_pcap=speech, audio_after_ms=26_000,
                            hangup_after_ms=20_000)  # fmt: skip
    caller = pbx.call(resident)
    call = answered_call(pbx, before, "xcezary")
    call_id = call["call_id"]
    consult(pbx, call_id, "xdorota")
    wait_transfer(pbx, call_id, answered_by_colleague, "the colleague to answer")
    completing = pbx.api("POST", f"/api/calls/{call_id}/transfer/complete", {})
    assert completing["state"] == "completing"
    done = wait_transfer(
        pbx, call_id, lambda t: t["state"] == "completed", "Asterisk's confirmation"
    )
    assert done["ended_at"] and "CallTransferred" in steps(done)
    # The agent is gone; the resident and the colleague are up (bridged through the consult's
    # Local channel pair).
    pbx.wait_for(lambda: channel_of(pbx, "PJSIP/agent-xcezary-") is None, 10, "agent gone")
    resident = channel_of(pbx, "PJSIP/residents-")
    colleague = channel_of(pbx, "PJSIP/agent-xdorota-")
    assert resident is not None and colleague is not None
    assert resident[4] == "Up" and colleague[4] == "Up"
    [path] = pbx.recording_files(call_id)
    size = path.stat().st_size
    pbx.wait_for(lambda: path.stat().st_size > size + 32_000, 30, "the recording to grow")
    assert caller.wait(90) == 0, caller.errors()
    record = pbx.wait_call(before, lambda c: bool(c["ended_at"] and c["recordings"]), 30)
    [rec] = record["recordings"]
    assert Path(rec["path"]).name == f"{call_id}.wav" and rec["bytes"] > size
    assert pbx.recording_files(call_id) == [path]
    [transferred] = [e for e in record["timeline"] if e["type"] == "CallTransferred"]
    assert transferred["data"]["kind"] == "attended"
    assert transferred["data"]["from_agent"] == "PJSIP/agent-xcezary"
    assert transferred["data"]["to_agent"] == "PJSIP/agent-xdorota"
    legs = [(leg["agent"], leg["via"], leg["end"]) for leg in record["legs"]]
    assert legs == [
        ("PJSIP/agent-xcezary", "", "transferred_attended"),
        ("PJSIP/agent-xdorota", "attended", "completed"),
    ]
    assert all(leg["talk_seconds"] > 0 for leg in record["legs"])
    assert record["legs"][0]["consults"][0]["result"] == "transferred"
    board = {a["username"]: a for a in pbx.api("GET", "/api/wallboard")["agents"]}
    assert board["xcezary"]["handled_today"] == 1 and board["xdorota"]["handled_today"] == 1


def test_attended_transfer_cancelled_while_ringing(pbx: Harness) -> None:
    """The colleague's phone still rings; the agent cancels and has the resident back."""
    pbx.login("xedward")
    pbx.agent("xfelicja", AgentPhone(ring_ms=30_000))
    before = pbx.call_ids()
    caller = pbx.call(ResidentCall(number="48500100503", hangup_after_ms=40_000))
    call = answered_call(pbx, before, "xedward")
    consult(pbx, call["call_id"], "xfelicja")
    wait_transfer(pbx, call["call_id"], lambda t: "ConsultRinging" in steps(t), "ringing")
    cancelled = pbx.api("POST", f"/api/calls/{call['call_id']}/transfer/cancel", {})
    assert cancelled["state"] == "cancelled"
    done = wait_transfer(pbx, call["call_id"], lambda t: "ConsultEnded" in steps(t), "return")
    assert "ConsultAnswered" not in steps(done)
    pbx.wait_for(lambda: channel_of(pbx, "PJSIP/agent-xfelicja-") is None, 10, "ringing stops")
    assert channel_of(pbx, "PJSIP/agent-xedward-") is not None
    assert caller.wait(90) == 0, caller.errors()


def test_second_transfer_of_a_call_is_refused(pbx: Harness) -> None:
    """Two consoles (or a double click): the second transfer gets 409 in Polish."""
    pbx.login("xgrzegorz")
    pbx.agent("xhanna", AgentPhone(ring_ms=1000))
    pbx.agent("xirena", AgentPhone(ring_ms=1000))
    before = pbx.call_ids()
    caller = pbx.call(ResidentCall(number="48500100504", hangup_after_ms=35_000))
    call = answered_call(pbx, before, "xgrzegorz")
    consult(pbx, call["call_id"], "xhanna")
    with pytest.raises(CommandError, match=r"^409") as info:
        consult(pbx, call["call_id"], "xirena")
    assert "przekazywane" in str(info.value)
    wait_transfer(pbx, call["call_id"], answered_by_colleague, "the colleague to answer")
    pbx.api("POST", f"/api/calls/{call['call_id']}/transfer/cancel", {})
    assert caller.wait(90) == 0, caller.errors()
    assert channel_of(pbx, "PJSIP/agent-xirena-") is None


def test_blind_transfer_to_department_queue(pbx: Harness) -> None:
    """Straight to a department queue: its specialist answers; the recording goes on."""
    store = Store(pbx.settings.db_url)
    store.run_sync(lambda s: s.add(Queue(name="xfinanse", title="Finanse i podatki")))
    pbx.login("xjan")
    port = pbx.port()
    contact = f"sip:agent-xkasia@127.0.0.1:{port}"
    pbx.api("POST", "/api/agents", {"username": "xkasia", "display_name": "Kasia",
                                    "static_contact": contact, "queues": ["xfinanse"]})  # fmt: skip
    pbx.phones.append(Sipp(agent_xml(AgentPhone(ring_ms=1000)), local_port=port,
                           media_port=port + 2, calls=0).start())  # fmt: skip
    process.rx(provision.locate(pbx.settings), "module reload app_queue.so")
    pbx.api("POST", "/api/agents/xkasia/login", {})
    before = pbx.call_ids()
    caller = pbx.call(ResidentCall(number="48500100505", hangup_after_ms=40_000))
    call = answered_call(pbx, before, "xjan")
    body = {"kind": "blind", "target": {"queue": "xfinanse"}, "note": NOTE}
    started = pbx.api("POST", f"/api/calls/{call['call_id']}/transfer", body)
    assert started["state"] == "blind"
    done = wait_transfer(pbx, call["call_id"], lambda t: t["state"] == "done", "blind transfer")
    assert "CallTransferred" in steps(done)

    def with_kasia(c: dict[str, Any]) -> bool:
        answers = [e for e in c["timeline"] if e["type"] == "CallAnswered"]
        return any(e["data"]["agent"] == "PJSIP/agent-xkasia" for e in answers)

    record = pbx.wait_call(before, with_kasia, 30)
    assert channel_of(pbx, "PJSIP/agent-xjan-") is None
    assert caller.wait(90) == 0, caller.errors()
    record = pbx.wait_call(before, lambda c: bool(c["ended_at"] and c["recordings"]), 30)
    queued = [e["data"]["queue"] for e in record["timeline"] if e["type"] == "CallQueued"]
    assert queued == ["pierwsza-linia", "xfinanse"]
    legs = [(leg["queue"], leg["agent"], leg["via"], leg["end"]) for leg in record["legs"]]
    assert legs == [
        ("pierwsza-linia", "PJSIP/agent-xjan", "", "transferred_blind"),
        ("xfinanse", "PJSIP/agent-xkasia", "blind", "completed"),
    ]
    queues = {q["queue"]: q for q in pbx.api("GET", "/api/wallboard")["queues"]}
    assert queues["xfinanse"]["answered"] == 1 and queues["xfinanse"]["abandoned"] == 0
    assert len(record["recordings"]) == 1
    store.engine.dispose()


def test_blind_transfer_to_a_person(pbx: Harness) -> None:
    """Straight to a named colleague (not in any queue): their phone rings, they answer."""
    pbx.login("xstefan")
    pbx.agent("xtomasz", AgentPhone(ring_ms=1000))
    before = pbx.call_ids()
    caller = pbx.call(ResidentCall(number="48500100509", hangup_after_ms=40_000))
    call = answered_call(pbx, before, "xstefan")
    body = {"kind": "blind", "target": {"agent": "xtomasz"}, "note": NOTE}
    assert pbx.api("POST", f"/api/calls/{call['call_id']}/transfer", body)["state"] == "blind"
    done = wait_transfer(pbx, call["call_id"], lambda t: t["state"] == "done", "blind transfer")
    assert done["target_interface"] == "PJSIP/agent-xtomasz"

    def with_tomasz(c: dict[str, Any]) -> bool:
        answers = [e for e in c["timeline"] if e["type"] == "CallAnswered"]
        return any(e["data"]["agent"] == "PJSIP/agent-xtomasz" for e in answers)

    pbx.wait_call(before, with_tomasz, 30)
    assert channel_of(pbx, "PJSIP/agent-xstefan-") is None
    assert caller.wait(90) == 0, caller.errors()
    record = pbx.wait_call(before, lambda c: bool(c["ended_at"]), 20)
    [blind] = [e for e in record["timeline"] if e["type"] == "CallTransferred"]
    assert blind["data"]["target"] == "cic-blind/a-xtomasz"


def test_colleague_does_not_answer_agent_gets_resident_back(pbx: Harness) -> None:
    """The colleague's phone rings out: the transfer fails and the agent has the resident."""
    pbx.login("xlucja")
    pbx.agent("xmarek", AgentPhone(answer=False))
    before = pbx.call_ids()
    caller = pbx.call(ResidentCall(number="48500100506", hangup_after_ms=50_000))
    call = answered_call(pbx, before, "xlucja")
    consult(pbx, call["call_id"], "xmarek")
    failed = wait_transfer(pbx, call["call_id"], lambda t: t["state"] == "failed", "no answer", 40)
    assert failed["reason"] == "no_answer"
    wait_transfer(pbx, call["call_id"], lambda t: "ConsultEnded" in steps(t), "agent back", 15)
    assert channel_of(pbx, "PJSIP/agent-xlucja-") is not None
    assert channel_of(pbx, "PJSIP/agent-xmarek-") is None
    assert caller.wait(90) == 0, caller.errors()


def test_resident_hangs_up_during_consult(pbx: Harness) -> None:
    """The resident gives up while the agent consults: the transfer ends, the consult goes on."""
    pbx.login("xnina")
    pbx.agent("xolek", AgentPhone(ring_ms=1000))
    before = pbx.call_ids()
    caller = pbx.call(ResidentCall(number="48500100507", hangup_after_ms=26_000))
    call = answered_call(pbx, before, "xnina")
    consult(pbx, call["call_id"], "xolek")
    assert caller.wait(90) == 0, caller.errors()
    ended = wait_transfer(pbx, call["call_id"], lambda t: t["state"] == "ended", "ended")
    assert ended["reason"] == "resident_hangup"
    assert channel_of(pbx, "PJSIP/agent-xnina-") is not None, "the consult should go on"
    assert channel_of(pbx, "PJSIP/agent-xolek-") is not None
    hang_up(pbx, "PJSIP/agent-xnina-")
    pbx.wait_for(lambda: channel_of(pbx, "PJSIP/agent-xolek-") is None, 10, "consult over")
    record = pbx.wait_call(before, lambda c: bool(c["ended_at"]), 20)
    assert record["outcome"] == "answered"


def test_agent_hangs_up_during_consult_resident_goes_to_colleague(pbx: Harness) -> None:
    """The agent's leg ends while the colleague's phone rings: the resident goes to them.

    The agent's channel is hung up in Asterisk (as when the phone or the browser drops); the
    console sends nothing. Asterisk turns the consult into a "blond" transfer and confirms it.
    """
    pbx.login("xpawel")
    pbx.agent("xrenata", AgentPhone(ring_ms=6000))
    before = pbx.call_ids()
    caller = pbx.call(ResidentCall(number="48500100508", hangup_after_ms=40_000))
    call = answered_call(pbx, before, "xpawel")
    consult(pbx, call["call_id"], "xrenata")
    wait_transfer(pbx, call["call_id"], lambda t: "ConsultRinging" in steps(t), "ringing")
    hang_up(pbx, "PJSIP/agent-xpawel-")
    done = wait_transfer(pbx, call["call_id"], lambda t: t["state"] == "completed", "completed")
    assert "CallTransferred" in steps(done)

    def resident_with_colleague() -> bool:
        colleague = channel_of(pbx, "PJSIP/agent-xrenata-")
        return colleague is not None and colleague[4] == "Up"

    pbx.wait_for(resident_with_colleague, 15, "the colleague to answer the resident")
    assert channel_of(pbx, "PJSIP/residents-") is not None
    assert channel_of(pbx, "PJSIP/agent-xpawel-") is None
    assert caller.wait(90) == 0, caller.errors()
    record = pbx.wait_call(before, lambda c: bool(c["ended_at"]), 20)
    assert record["outcome"] == "answered"


def test_consult_with_whoever_is_free_in_a_department_then_complete(pbx: Harness) -> None:
    """'Konsultuj z wolnym': the controller picks the department's free specialist."""
    pbx.specialist("xwiktor", "xpodatki", phone=AgentPhone(ring_ms=1000))

    def state(username: str) -> str:
        return next(a["state"] for a in pbx.api("GET", "/api/agents") if a["username"] == username)

    pbx.wait_for(lambda: state("xwiktor") == "available", 15, "the specialist available")
    pbx.login("xzenon")
    before = pbx.call_ids()
    caller = pbx.call(ResidentCall(number="48500100509", hangup_after_ms=40_000))
    call = answered_call(pbx, before, "xzenon")
    body = {"kind": "consult", "target": {"queue": "xpodatki"}, "note": NOTE}
    started = pbx.api("POST", f"/api/calls/{call['call_id']}/transfer", body)
    assert started["target"] == {"queue": "xpodatki"}
    assert started["target_interface"] == "PJSIP/agent-xwiktor"
    wait_transfer(pbx, call["call_id"], answered_by_colleague, "the specialist to answer")
    pbx.api("POST", f"/api/calls/{call['call_id']}/transfer/complete", {})
    wait_transfer(pbx, call["call_id"], lambda t: t["state"] == "completed", "completed")
    assert caller.wait(90) == 0, caller.errors()
    record = pbx.wait_call(before, lambda c: bool(c["ended_at"] and c["recordings"]), 30)
    assert [leg["agent"] for leg in record["legs"]] == [
        "PJSIP/agent-xzenon",
        "PJSIP/agent-xwiktor",
    ]
