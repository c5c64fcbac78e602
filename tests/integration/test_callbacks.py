"""Callback instead of waiting, on a real Asterisk: key 5 in the queue, confirm with 1, hang up;
an agent takes the request, Asterisk calls the resident (a SIPp phone behind the trunk).

The resident's place is held by a placeholder in the queue; the request is retried when the
resident does not answer and ends as ``failed`` for the supervisor after the last attempt.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from cic.demo.pcap import dtmf_pcap
from cic.demo.runner import Sipp
from cic.demo.scenarios import AgentPhone, ResidentCall, agent_xml
from tests.integration.harness import Harness, free_port

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """Key 5 then key 1, as telephone events that follow each other in one RTP stream."""
    folder = tmp_path_factory.mktemp("keys")
    return str(dtmf_pcap("5", folder / "5.pcap", 0)), str(dtmf_pcap("1", folder / "1.pcap", 1))


def asking(keys: tuple[str, str], number: str, name: str = "Jan Testowy") -> ResidentCall:
    """A resident who waits in the queue, presses 5, and confirms the number read back with 1.

    The recording notice and its 3 s key window take about 12 s; the resident is queued by 16 s.
    """
    return ResidentCall(number=number, name=name, dtmf_pcaps=keys, dtmf_after_ms=17_000,
                        dtmf_gap_ms=4_000, hangup_after_ms=60_000)  # fmt: skip


@pytest.fixture(scope="module")
def trunk_port() -> int:
    """The port the resident's phone behind the trunk answers on."""
    return free_port()


@pytest.fixture(scope="module")
def cb(tmp_path_factory: pytest.TempPathFactory, trunk_port: int) -> Iterator[Harness]:
    """Asterisk + controller with the trunk pointing at the residents' phone, quick retries."""
    with Harness.running(
        tmp_path_factory.mktemp("cic-callbacks"),
        CIC_ASTERISK__TRUNK_CONTACT=f"sip:127.0.0.1:{trunk_port}",
        CIC_CALLBACK__ATTEMPTS="2",
        CIC_CALLBACK__RETRY_SECONDS="2",
        CIC_CALLBACK__RING_SECONDS="6",
        CIC_OVERFLOW__ENABLED="false",
    ) as h:
        yield h


@pytest.fixture(autouse=True)
def _clean(cb: Harness) -> Iterator[None]:
    """Each test starts with every agent logged out and no open callback request."""
    yield
    for agent in cb.api("GET", "/api/agents"):
        if agent["state"] != "offline":
            cb.api("POST", f"/api/agents/{agent['username']}/logout", {})
    for request in cb.api("GET", "/api/callbacks"):
        if request["status"] in ("waiting", "retry", "failed"):
            cb.api("POST", f"/api/callbacks/{request['id']}/close", {})


def _resident_phone(h: Harness, port: int, phone: AgentPhone, calls: int) -> Sipp:
    sipp = Sipp(agent_xml(phone), local_port=port, media_port=port + 2, calls=calls)
    h.phones.append(sipp.start())
    return sipp


def _request_for(h: Harness, number: str) -> dict[str, Any]:
    rows = [c for c in h.api("GET", "/api/callbacks") if c["number"] == number]
    assert len(rows) <= 1, rows  # one request per call, never a duplicate
    return rows[0] if rows else {}


def _ask_for_callback(h: Harness, resident: ResidentCall) -> dict[str, Any]:
    caller = h.call(resident)
    national = resident.number[-9:]
    h.wait_for(lambda: bool(_request_for(h, national)), 60, "callback request",
               lambda: h.api("GET", "/api/callbacks"))  # fmt: skip
    assert caller.wait(30) == 0, caller.errors()  # Asterisk said goodbye and hung up
    return _request_for(h, national)


def test_callback_requested_then_placed_then_answered(
    cb: Harness, trunk_port: int, keys: tuple[str, str]
) -> None:
    before = cb.call_ids()
    request = _ask_for_callback(cb, asking(keys, "48500100301", "Jan Oddzwoń"))
    assert request["status"] == "waiting"
    assert request["queue"] == cb.settings.office.first_line_queue
    assert request["position"] == 1 and request["attempts"] == 0
    original = cb.api("GET", f"/api/calls/{request['call_id']}")
    assert original["caller_number"] == "48500100301" and original["call_id"] not in before
    cb.wait_for(  # neither abandoned nor unanswered: the resident chose to be called back
        lambda: cb.api("GET", f"/api/calls/{request['call_id']}")["outcome"] == "callback", 15,
        "the first call's outcome", lambda: cb.api("GET", f"/api/calls/{request['call_id']}"),
    )  # fmt: skip

    resident = _resident_phone(cb, trunk_port, AgentPhone(ring_ms=1000, hangup_after_ms=4000), 1)
    cb.login("oliwia", AgentPhone(ring_ms=500))
    cb.wait_for(lambda: _request_for(cb, "500100301")["status"] == "done", 60, "callback done",
                lambda: _request_for(cb, "500100301"))  # fmt: skip
    done = _request_for(cb, "500100301")
    assert done["attempts"] == 1 and done["last_result"] == "ANSWER"
    assert done["agent"] == "PJSIP/agent-oliwia"
    assert resident.wait(20) == 0, resident.errors()  # exactly one call reached the resident

    calls = [c for c in cb.api("GET", "/api/calls?limit=20") if c["call_id"] not in before]
    placeholder = [c for c in calls if c["dialled"] == "oddzwonienie"]
    assert len(placeholder) == 1, calls
    record = cb.api("GET", f"/api/calls/{placeholder[0]['call_id']}")
    assert record["caller_number"] == "48500100301"  # shown as the resident first called
    assert record["agent"] == "PJSIP/agent-oliwia" and record["outcome"] == "answered"


def test_unanswered_callback_is_retried_then_failed_for_the_supervisor(
    cb: Harness, trunk_port: int, keys: tuple[str, str]
) -> None:
    request = _ask_for_callback(cb, asking(keys, "48600200302", "Ewa Nieobecna"))
    assert request["status"] == "waiting"
    _resident_phone(cb, trunk_port, AgentPhone(answer=False), 2)
    cb.login("piotr", AgentPhone(ring_ms=500))
    cb.wait_for(lambda: _request_for(cb, "600200302")["status"] == "failed", 90,
                "callback failed", lambda: _request_for(cb, "600200302"))  # fmt: skip
    failed = _request_for(cb, "600200302")
    assert failed["attempts"] == 2 and failed["last_result"] == "NOANSWER"
    time.sleep(6)  # well past the retry interval: no third attempt is made
    assert _request_for(cb, "600200302")["attempts"] == 2
    listed = cb.api("GET", "/api/callbacks?status=failed")
    assert [c["id"] for c in listed] == [failed["id"]]
    closed = cb.api("POST", f"/api/callbacks/{failed['id']}/close", {})
    assert closed["status"] == "cancelled"


def test_a_number_that_cannot_be_called_back_keeps_the_resident_queued(
    cb: Harness, keys: tuple[str, str]
) -> None:
    resident = ResidentCall(**{**asking(keys, "48701000303").__dict__, "hangup_after_ms": 30_000})
    before = cb.call_ids()
    caller = cb.call(resident)
    assert caller.wait(90) == 0, caller.errors()  # the resident hung up while queued again
    assert _request_for(cb, "701000303") == {}
    record = cb.wait_call(before, lambda c: bool(c["ended_at"]))
    assert record["queue"] == cb.settings.office.first_line_queue


def test_an_odd_caller_id_is_called_back_on_its_digits_only(
    cb: Harness, keys: tuple[str, str]
) -> None:
    request = _ask_for_callback(cb, asking(keys, "$(reboot)48500100304", "'; DROP TABLE x;--"))
    assert request["number"] == "500100304"
    assert request["shown_number"] == "500100304"  # the raw caller ID never reaches Dial()
    closed = cb.api("POST", f"/api/callbacks/{request['id']}/close", {})
    assert closed["status"] == "cancelled"
    cb.wait_for(lambda: _waiting(cb) == 0, 15, "placeholder withdrawn", lambda: _waiting(cb))


def _waiting(h: Harness) -> int:
    board = h.api("GET", "/api/wallboard")
    queue = h.settings.office.first_line_queue
    return sum(q["waiting"] for q in board["queues"] if q["queue"] == queue)
