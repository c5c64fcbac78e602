"""Case status by phone on a real Asterisk: the tenth wrong PIN in a row is throttled.

SIPp sends the keys as RFC 2833 events. One call gives three tries (``[cic-case-status]``), so
three calls from one number make nine wrong attempts, each answered "not found" and none
speaking a status; the tenth, on a fourth call, is refused as throttled. Then the right PIN is
refused too, from that number and from another one (the case is locked), and that number is
refused on another case (the caller is locked), while a third number still hears the status of
that other case. Nothing of a case is spoken while it is locked.

The portal's case status shares the phone's throttle: nine wrong PINs typed on the portal of
the same controller, then a real call keying the right PIN is refused as locked.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cic.asterisk import provision
from cic.demo.pcap import dtmf_pcap
from cic.demo.scenarios import ResidentCall
from tests.integration.harness import Harness

pytestmark = pytest.mark.integration
ALL_WEEK = {day: ["00:00-24:00"] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
CALLER = "48500100610"
OTHER = "48500100611"
THIRD = "48500100612"
FOURTH = "48500100613"
TRIES = 3  # tries per call in [cic-case-status]
LOCK_AFTER = 10  # cic.cases.phone.PHONE_THROTTLE
# The welcome (policy "never") takes about 4.3 s; key 8 then cuts the menu short.
MENU_KEY_AT_MS = 6_000
AFTER_MENU_KEY_MS = 1_000  # the menu's FastAGI runs meanwhile (keys sent then are lost)
KEY_GAP_MS = 500
# After a wrong try: the FastAGI check, then "not found" (about 3.4 s, keys sent then are
# lost), then the number is asked again (about 4.5 s of prompt, then 10 s for a key).
NEXT_TRY_MS = 6_000


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    """Asterisk + controller whose menu offers only case status by phone (key 8)."""
    with Harness.running(
        tmp_path_factory.mktemp("cic-case-throttle"),
        CIC_OFFICE__CASE_STATUS_KEY="8",
        CIC_OFFICE__RECORDING_POLICY="never",
        CIC_OVERFLOW__ENABLED="false",
    ) as h:
        h.api("POST", "/api/admin/departments", {"code": "FN", "name": "Finanse i podatki",
                                                 "hours": ALL_WEEK})  # fmt: skip
        yield h


def _resident(
    folder: Path, number: str, code: str, pins: list[str], hangup_ms: int = 4_000
) -> ResidentCall:
    """Key 8, then ``code`` # and a PIN for each of ``pins`` (one try each); the resident
    hangs up ``hangup_ms`` after the last key unless Asterisk does first."""
    folder.mkdir()
    digits, pauses = "8", [AFTER_MENU_KEY_MS]
    for pin in pins:
        group = f"{code}#{pin}"
        digits += group
        pauses += [KEY_GAP_MS] * (len(group) - 1) + [NEXT_TRY_MS]
    pauses[-1] = KEY_GAP_MS
    keys = tuple(str(dtmf_pcap(k, folder / f"{i}-{'hash' if k == '#' else k}.pcap", i))
                 for i, k in enumerate(digits))  # fmt: skip
    return ResidentCall(number=number, dtmf_pcaps=keys, dtmf_after_ms=MENU_KEY_AT_MS,
                        dtmf_pauses_ms=tuple(pauses), hangup_after_ms=hangup_ms)  # fmt: skip


def _by_phone(call: dict[str, Any]) -> dict[str, Any]:
    """``call`` after checking it went to case status by phone and reached nobody."""
    assert (call["routing_action"], call["routing_reason"]) == ("case_status", "menu_case_status")
    assert call["agent"] is None, call
    return call


def _status_call(office: Harness, resident: ResidentCall) -> dict[str, Any]:
    return _by_phone(office.complete_call(resident, lambda c: bool(c["ended_at"]), 60))


def _status_calls_at_once(office: Harness, residents: list[ResidentCall]) -> list[dict[str, Any]]:
    """The calls of ``residents`` placed together; their records, ended, by caller number."""
    before = office.call_ids()
    phones = [office.call(r) for r in residents]
    for phone in phones:
        assert phone.wait(60) == 0, phone.errors()
    records: list[dict[str, Any]] = []

    def ended() -> bool:
        nonlocal records
        rows = [r for r in office.api("GET", "/api/calls?limit=50") if r["call_id"] not in before]
        records = [office.api("GET", f"/api/calls/{r['call_id']}") for r in rows]
        return len(records) == len(residents) and all(r["ended_at"] for r in records)

    office.wait_for(ended, 30, "the calls ended", lambda: records)
    return [_by_phone(r) for r in sorted(records, key=lambda r: str(r["caller_number"]))]


def _checks(call: dict[str, Any]) -> list[tuple[int, str]]:
    """(attempt, result) of each check the dialplan reported, in order."""
    events = [e["data"] for e in call["timeline"] if e["type"] == "CaseStatusChecked"]
    return [(e["attempt"], e["result"]) for e in events]


def test_the_tenth_wrong_pin_in_a_row_locks_the_caller_and_the_case(
    office: Harness, tmp_path_factory: pytest.TempPathFactory
) -> None:
    body = {"unit": "FN", "jrwa": "3110", "title": "Podatek od nieruchomości — Jan Testowy"}
    case = office.api("POST", "/api/sprawy", body)
    other = office.api("POST", "/api/sprawy", {**body, "title": "Opłata śmieciowa — Jan Testowy"})
    code, pin = case["phone_code"], case["pin"]
    wrong = f"{(int(pin) + 1) % 1_000_000:06d}"
    folder = tmp_path_factory.mktemp("throttle-keys")
    layout = provision.locate(office.settings)
    status = layout.host(f"{layout.prompts}/status")

    def spoken(call: dict[str, Any]) -> bool:
        return (status / f"{call['call_id']}.wav").exists()

    # Nine wrong PINs in a row from one number, three calls of three tries: "not found" each.
    for n in range((LOCK_AFTER - 1) // TRIES):
        resident = _resident(folder / f"wrong-{n}", CALLER, code, [wrong] * TRIES)
        call = _status_call(office, resident)
        assert _checks(call) == [(a, "wrong") for a in range(1, TRIES + 1)], call["timeline"]
        assert not spoken(call)

    # The tenth wrong one is refused as throttled, and ends the tries of that call.
    tenth = _status_call(office, _resident(folder / "tenth", CALLER, code, [wrong]))
    assert _checks(tenth) == [(1, "locked")], tenth["timeline"]
    assert not spoken(tenth)

    # Four calls at once. Locked for this number and for this case, even with the right PIN,
    # and no status spoken: this number on this case and on another, another number on this
    # case. Not a broken line: a third number hears the other case.
    residents = [
        _resident(folder / "right-pin", CALLER, code, [pin]),
        _resident(folder / "another-case", CALLER, other["phone_code"], [other["pin"]]),
        _resident(folder / "another-number", OTHER, code, [pin]),
        _resident(folder / "control", THIRD, other["phone_code"], [other["pin"]], 10_000),
    ]
    *refused, heard = _status_calls_at_once(office, residents)
    assert [r["caller_number"] for r in refused] == [CALLER, CALLER, OTHER]
    for call in refused:
        assert _checks(call) == [(1, "locked")], call["timeline"]
        assert not spoken(call)
    assert heard["caller_number"] == THIRD
    assert _checks(heard) == [(1, "ok")], heard["timeline"]
    assert spoken(heard)


def _portal_lookup(office: Harness, signature: str, pin: str) -> tuple[int, str]:
    """Case status on the controller's portal, as a browser sends it (form token, Origin)."""
    base = f"http://127.0.0.1:{office.settings.web_port}"
    with urllib.request.urlopen(f"{base}/e-urzad/sprawa", timeout=10) as page:
        found = re.search(r'name="form_token" value="([^"]+)"', page.read().decode())
    assert found, "no form token on /e-urzad/sprawa"
    data = urllib.parse.urlencode({"form_token": found.group(1), "znak": signature, "pin": pin})
    sent = urllib.request.Request(f"{base}/e-urzad/sprawa", data=data.encode(), method="POST",
                                  headers={"Origin": base})  # fmt: skip
    try:
        with urllib.request.urlopen(sent, timeout=10) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read().decode()


def test_wrong_pins_on_the_portal_lock_the_case_for_a_real_call(
    office: Harness, tmp_path_factory: pytest.TempPathFactory
) -> None:
    body = {"unit": "FN", "jrwa": "3110", "title": "Wycinka drzewa — Anna Testowa"}
    case = office.api("POST", "/api/sprawy", body)
    pin = case["pin"]
    wrong = f"{(int(pin) + 1) % 1_000_000:06d}"
    for _ in range(LOCK_AFTER - 1):
        status, html = _portal_lookup(office, case["signature"], wrong)
        assert status == 400 and "Nie znaleźliśmy sprawy" in html, status
    layout = provision.locate(office.settings)
    status_dir = layout.host(f"{layout.prompts}/status")
    folder = tmp_path_factory.mktemp("portal-then-phone")
    call = _status_call(office, _resident(folder / "right-pin", FOURTH, case["phone_code"], [pin]))
    assert _checks(call) == [(1, "locked")], call["timeline"]
    assert not (status_dir / f"{call['call_id']}.wav").exists()
