"""Redis stopped and started again under the real controller (bus and job stream on Redis).

The test runs a redis-server of its own (no persistence, so a restart loses everything, the
worst case). While Redis is down a call is answered and written; the controller's own
wallboard still counts it (messages go to this process's subscribers directly); once Redis is
back the bus carries messages again and the next call is counted too.
"""

from __future__ import annotations

from pathlib import Path

from cic.demo.scenarios import AgentPhone, ResidentCall
from tests.component.test_bus_contract import _free_port, _start_redis, _stop
from tests.integration.harness import Harness


def test_live_views_and_records_go_on_through_a_redis_restart(tmp_path: Path) -> None:
    port = _free_port()
    (tmp_path / "redis").mkdir()
    redis = _start_redis(port, tmp_path / "redis")
    h = Harness.create(tmp_path / "state", CIC_REDIS_URL=f"redis://127.0.0.1:{port}/0",
                       CIC_SPEECH__QUEUE="redis", CIC_OFFICE__RECORDING_POLICY="never",
                       CIC_OFFICE__WRAPUP_SECONDS="0")  # fmt: skip
    first_line = h.settings.office.first_line_queue

    def answered() -> int:
        board = h.api("GET", "/api/wallboard")
        return int(next(q for q in board["queues"] if q["queue"] == first_line)["answered"])

    def call(number: str) -> dict[str, object]:
        return h.complete_call(ResidentCall(number=number, hangup_after_ms=10000),
                               lambda c: bool(c["ended_at"]), 30)  # fmt: skip

    try:
        h.start_controller()
        h.login("redisowa", AgentPhone(ring_ms=800), calls=3)
        assert call("48500100691")["outcome"] == "answered"
        h.wait_for(lambda: answered() == 1, 20, "the wallboard counting the call")

        _stop(redis)  # Redis dies
        assert call("48500100692")["outcome"] == "answered"  # calls and records go on
        h.wait_for(lambda: answered() == 2, 20, "the wallboard counting the call meanwhile")

        redis = _start_redis(port, tmp_path / "redis")  # back, empty
        assert call("48500100693")["outcome"] == "answered"
        h.wait_for(lambda: answered() == 3, 30, "the wallboard counting after the restart")
        numbers = {c["caller_number"] for c in h.api("GET", "/api/calls?limit=10")}
        assert numbers == {"48500100691", "48500100692", "48500100693"}
    finally:
        h.close()
        _stop(redis)
