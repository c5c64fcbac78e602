"""An incident reported from a real call appears on the safety map: a SIPp resident calls the
office through the real Asterisk, an agent's SIPp phone answers, and the incident is created
with that call's id through the API, as the console's form does."""

from __future__ import annotations

import pytest

from cic.demo.scenarios import ResidentCall
from tests.integration.harness import Harness

pytestmark = pytest.mark.integration


def test_incident_from_a_real_call_is_on_the_map(pbx: Harness) -> None:
    pbx.login("ewa")
    resident = ResidentCall(number="48500100204", name="Jan Testowy", hangup_after_ms=14_000)
    call = pbx.complete_call(resident)
    assert call["outcome"] == "answered" and call["agent"] == "PJSIP/agent-ewa"
    created = pbx.api("POST", "/api/zagrozenia", {
        "category": "drzewo", "title": "Drzewo na drodze do szkoły", "lat": 50.061,
        "lon": 19.937, "source": "telefon", "call_id": call["call_id"],
        "reporter_phone": call["caller_number"], "reporter_name": call["caller_name"],
    })  # fmt: skip
    incident = created["incident"]
    assert incident["source"] == "telefon" and incident["priority"] == "wysoki"
    on_map = pbx.api("GET", "/api/zagrozenia?stan=otwarte")
    [shown] = [i for i in on_map if i["id"] == incident["id"]]
    assert (shown["lat"], shown["lon"]) == (50.061, 19.937)
    assert shown["reporter_phone"] == "48500100204"
    one = pbx.api("GET", f"/api/zagrozenia/{incident['id']}")
    assert [(x["kind"], x["ref"]) for x in one["links"]] == [("call", call["call_id"])]
    assert pbx.api("GET", "/api/mapa/warstwy")[0]["url"] == "/api/zagrozenia"
