"""Subscribing to warnings by phone on a real Asterisk: a SIPp resident calls the office,
presses the menu's warnings key (RFC 2833), 1 to agree to the consent it heard, and 2 for the
second sołectwo; the controller subscribes the caller's mobile number for calls and SMS and
keeps the consent record with the call's id (the call is recorded: its recording is the
consent's audio). A second call with 2 unsubscribes the number."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cic.asterisk import provision
from cic.demo.pcap import dtmf_pcap
from cic.demo.scenarios import ResidentCall
from tests.integration.harness import Harness

pytestmark = pytest.mark.integration
SOLECTWA = ["Dąbrowa", "Lipki", "Żabno"]


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    """Asterisk + controller with the warnings key 7 in the menu and three sołectwa."""
    with Harness.running(
        tmp_path_factory.mktemp("cic-warnings"),
        CIC_OFFICE__WARNINGS_KEY="7",
        CIC_OFFICE__RECORDING_POLICY="always",
        CIC_PORTAL__SOLECTWA=json.dumps(SOLECTWA),
        CIC_OVERFLOW__ENABLED="false",
    ) as h:
        h.login("ewa")
        yield h


def _keys(folder: Path, digits: str) -> tuple[str, ...]:
    """Each key a telephone event of its own, numbered in order within the call."""
    return tuple(str(dtmf_pcap(k, folder / f"{i}-{k}.pcap", i)) for i, k in enumerate(digits))


def _call(office: Harness, folder: Path, number: str, digits: str) -> dict[str, Any]:
    # The notice takes about 4 s; each key interrupts the prompt being read out.
    resident = ResidentCall(number=number, dtmf_pcaps=_keys(folder, digits),
                            dtmf_after_ms=6_500, dtmf_gap_ms=3_000,
                            hangup_after_ms=30_000)  # fmt: skip
    return office.complete_call(resident, lambda c: bool(c["ended_at"]), 60)


def _subscriptions(office: Harness, number: str) -> dict[str, dict[str, Any]]:
    rows = office.api("GET", f"/api/ostrzezenia/subskrypcje?adres={number}")
    return {row["channel"]: row for row in rows}


def test_subscribe_and_unsubscribe_by_phone(
    office: Harness, tmp_path_factory: pytest.TempPathFactory
) -> None:
    layout = provision.locate(office.settings)
    offer = layout.host(layout.prompts) / "warnings-offer.txt"
    assert "proszę nacisnąć jeden" in offer.read_text(encoding="utf-8")
    menu = (layout.host(layout.prompts) / "menu.txt").read_text(encoding="utf-8")
    assert "ostrzeżenia" in menu and "siedem" in menu

    folder = tmp_path_factory.mktemp("warn-keys")
    (folder / "in").mkdir()
    call = _call(office, folder / "in", "48500100601", "712")
    assert (call["routing_action"], call["routing_reason"]) == ("warnings", "menu_warnings")
    assert call["agent"] is None  # answered by the machine, nobody's time taken
    found = _subscriptions(office, "500100601")
    assert set(found) == {"voice", "sms"}, found
    for row in found.values():
        assert (row["state"], row["consent_how"], row["solectwa"]) == ("active", "phone",
                                                                       ["Lipki"])  # fmt: skip
        assert row["consent_call_id"] == call["call_id"]
        assert row["consent_version"] == "1"
    assert office.recording_files(call["call_id"]), "the consent's audio is the call's recording"

    (folder / "out").mkdir()
    _call(office, folder / "out", "48500100601", "72")
    found = _subscriptions(office, "500100601")
    assert {row["state"] for row in found.values()} == {"unsubscribed"}, found
    assert {row["unsubscribed_how"] for row in found.values()} == {"phone"}
