"""The controller's log holds no personal data: the real ``cic serve`` process (as ``cic up``
runs it) answers a resident search, a caller lookup and a transcript search; afterwards no
number and no search word is anywhere in its log, while each request is logged by its route."""

from __future__ import annotations

import urllib.parse

from tests.integration.harness import Harness

NUMBER = "600123987"  # made up
NAME = "Zdzisława Przykładowa"
WORD = "kanalizacyjnej"


def test_searches_and_lookups_leave_no_number_or_word_in_the_log(pbx: Harness) -> None:
    made = pbx.api("POST", "/api/residents", {"name": NAME, "numbers": [NUMBER]})
    found = pbx.api("GET", "/api/residents/lookup?number=" + urllib.parse.quote("+48" + NUMBER))
    assert found["id"] == made["id"]
    by_name = pbx.api("GET", "/api/residents?q=" + urllib.parse.quote("Zdzisława"))
    assert [r["id"] for r in by_name] == [made["id"]]
    pbx.api("DELETE", f"/api/residents/{made['id']}/numbers/48{NUMBER}")
    hits = pbx.api("GET", "/api/review/search?q=" + urllib.parse.quote(f"awaria sieci {WORD}"))
    assert hits["count"] == 0
    path = pbx.state_dir / "controller.log"

    def log_text() -> str:
        return path.read_text(encoding="utf-8", errors="replace")

    # the access line is written just after the answer went out
    Harness.wait_for(lambda: '/api/review/search" 200' in log_text(), 10, "the last access line")
    log = log_text()
    for secret in (NUMBER, "Zdzis", "Przyk", WORD, "awaria", "%20"):
        assert secret not in log, secret
    for route in ("/api/residents/lookup", "/api/residents/{id}/numbers/{number}",
                  "/api/review/search"):  # fmt: skip
        assert f'{route}" 200' in log, route
