"""The department menu on a real Asterisk: the resident presses a key (RFC 2833 from SIPp) and
reaches the department's specialist; outside the department's hours, or without a key, the
first line answers; the reason is kept on the call record. Key 8 is case status by phone: the
case's phone code, #, and its PIN; the right PIN gets the status read out, a wrong one not.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cic.asterisk import provision
from cic.demo.pcap import dtmf_pcap
from cic.demo.scenarios import ResidentCall
from cic.errors import CommandError
from tests.integration.harness import Harness

pytestmark = pytest.mark.integration
FIRST = "pierwsza-linia"
MENU = [{"key": "1", "department": "FN", "label": "podatki i opłaty lokalne"}]
ALL_WEEK = {day: ["00:00-24:00"] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


@pytest.fixture(scope="module")
def menu(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    """Asterisk + controller with a one-option menu, finance department FN with its queue,
    a specialist there and an agent on the first line."""
    with Harness.running(
        tmp_path_factory.mktemp("cic-menu"),
        CIC_OFFICE__DEPARTMENT_MENU=json.dumps(MENU),
        CIC_OFFICE__CASE_STATUS_KEY="8",
        CIC_OFFICE__RECORDING_POLICY="always",
        CIC_OVERFLOW__ENABLED="false",
    ) as h:
        h.api("POST", "/api/admin/departments", {"code": "FN", "name": "Finanse i podatki",
                                                 "hours": ALL_WEEK})  # fmt: skip
        h.api("POST", "/api/admin/queues",
              {"name": "finanse", "title": "Finanse i podatki", "department": "FN"})  # fmt: skip
        h.specialist("marek", "finanse")
        h.login("ewa")
        yield h


@pytest.fixture(scope="module")
def key1(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Key 1 as a telephone event."""
    return str(dtmf_pcap("1", tmp_path_factory.mktemp("keys") / "1.pcap", 0))


def _answered(call: dict[str, Any]) -> bool:
    """Ended, answered, and its recording on record (checked a moment after hang-up)."""
    return bool(call["ended_at"]) and call["outcome"] == "answered" and bool(call["recordings"])


def _resident(number: str, keys: tuple[str, ...]) -> ResidentCall:
    # The notice takes about 4 s; the key comes while the menu is being read out.
    return ResidentCall(number=number, dtmf_pcaps=keys, dtmf_after_ms=6_500, hangup_after_ms=16_000)


def test_key_one_reaches_the_finance_specialist(menu: Harness, key1: str) -> None:
    call = menu.complete_call(_resident("48500100501", (key1,)), _answered, 30)
    assert call["agent"] == "PJSIP/agent-marek", call
    assert call["queue"] == "finanse"
    assert (call["routing_action"], call["routing_reason"]) == ("queue", "menu:FN")
    routed = [e["data"] for e in call["timeline"] if e["type"] == "CallRouted"]
    assert [r["action"] for r in routed] == ["menu", "queue"], routed
    assert call["recording_consent"] == "always"  # recorded across the menu as before


def test_outside_the_department_hours_the_first_line_answers(menu: Harness, key1: str) -> None:
    menu.api("PATCH", "/api/admin/departments/FN", {"hours": {"mon": ["00:00-00:01"]}})
    try:
        call = menu.complete_call(_resident("48500100502", (key1,)), _answered, 30)
    finally:
        menu.api("PATCH", "/api/admin/departments/FN", {"hours": ALL_WEEK})
    assert call["agent"] == "PJSIP/agent-ewa", call
    assert call["queue"] == FIRST
    assert call["routing_reason"] == "menu_department_closed:FN"


def test_no_key_goes_to_the_first_line(menu: Harness) -> None:
    # The menu is read out twice, with 5 s for a key after each reading (about 26 s).
    resident = ResidentCall(number="48500100503", hangup_after_ms=45_000)
    call = menu.complete_call(resident, _answered, 40)
    assert call["agent"] == "PJSIP/agent-ewa", call
    assert call["routing_reason"] == "menu_no_choice"


def test_an_admin_changes_the_menu_and_its_prompt_is_spoken_anew(menu: Harness) -> None:
    layout = provision.locate(menu.settings)
    stamp = layout.host(layout.prompts) / "menu.txt"
    assert "podatki i opłaty lokalne, proszę nacisnąć jeden" in stamp.read_text(encoding="utf-8")
    with pytest.raises(CommandError, match=r"^400: .*klawisz od 1 do 9"):
        menu.api("PATCH", "/api/admin/office", {"department_menu": [{"key": "0"}]})
    changed = [{"key": "2", "department": "fn", "label": "sprawy finansowe"}]
    body = menu.api("PATCH", "/api/admin/office", {"department_menu": changed})
    try:
        assert body["values"]["department_menu"] == [
            {"key": "2", "department": "FN", "label": "sprawy finansowe"}
        ]
        menu.wait_for(lambda: "sprawy finansowe, proszę nacisnąć dwa" in stamp.read_text(
            encoding="utf-8"), 30, "the menu prompt synthesised again")  # fmt: skip
        assert (stamp.with_suffix(".wav")).stat().st_size > 8000
    finally:
        menu.api("PATCH", "/api/admin/office", {"department_menu": None})


def _keys(folder: Path, digits: str) -> tuple[str, ...]:
    """Each key a telephone event of its own, numbered in order within the call."""
    return tuple(str(dtmf_pcap(k, folder / f"{i}-{'hash' if k == '#' else k}.pcap", i))
                 for i, k in enumerate(digits))  # fmt: skip


def _status_call(menu: Harness, folder: Path, number: str, code: str, pin: str) -> dict[str, Any]:
    keys = _keys(folder, f"8{code}#{pin}")
    resident = ResidentCall(number=number, dtmf_pcaps=keys, dtmf_after_ms=6_500,
                            dtmf_gap_ms=1_000, hangup_after_ms=40_000)  # fmt: skip
    return menu.complete_call(resident, lambda c: bool(c["ended_at"]), 60)


def test_case_status_by_phone_right_pin_and_wrong_pin(
    menu: Harness, tmp_path_factory: pytest.TempPathFactory
) -> None:
    body = {"unit": "FN", "jrwa": "3110", "title": "Podatek od nieruchomości — Jan Testowy"}
    case = menu.api("POST", "/api/sprawy", body)
    code, pin = case["phone_code"], case["pin"]
    folder = tmp_path_factory.mktemp("case-keys")

    (folder / "ok").mkdir()
    heard = _status_call(menu, folder / "ok", "48500100510", code, pin)
    checks = [e["data"] for e in heard["timeline"] if e["type"] == "CaseStatusChecked"]
    assert checks[:1] == [{"result": "ok", "attempt": 1}], heard["timeline"]
    assert (heard["routing_action"], heard["routing_reason"]) == ("case_status", "menu_case_status")
    assert heard["agent"] is None  # answered by the machine, nobody's time taken
    layout = provision.locate(menu.settings)
    spoken = layout.host(f"{layout.prompts}/status") / f"{heard['call_id']}.wav"
    assert spoken.is_file() and spoken.stat().st_size > 16_000 * 3  # several seconds of speech

    wrong = f"{(int(pin) + 1) % 1_000_000:06d}"
    (folder / "wrong").mkdir()
    refused = _status_call(menu, folder / "wrong", "48500100511", code, wrong)
    checks = [e["data"] for e in refused["timeline"] if e["type"] == "CaseStatusChecked"]
    assert checks and checks[0] == {"result": "wrong", "attempt": 1}, refused["timeline"]
    assert all(c["result"] != "ok" for c in checks)
    assert not (layout.host(f"{layout.prompts}/status") / f"{refused['call_id']}.wav").exists()
