"""Time from "complete transfer" in the console to the resident bridged with the colleague.

    PYTHONPATH=. python bench/transfer_complete.py [--calls 10]

One Asterisk instance, the real controller, SIPp phones: for each call a resident reaches the
agent (short prompt, no recording notice), the agent consults a colleague who answers, then
``POST /api/calls/{id}/transfer/complete`` is sent. Measured: from just before that request to
Asterisk's AttendedTransfer (the ``CallTransferred`` leg's Asterisk timestamp; same host clock),
and to the controller's confirmation (state ``completed`` seen over the API, polled every
20 ms). Prints p50/p95 of both. Figures only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.call_setup import short_prompts
from cic.asterisk import process, provision
from cic.demo.scenarios import AgentPhone, ResidentCall
from tests.integration.harness import Harness


def quantile(values: list[float], q: float) -> float:
    """The q-quantile (nearest rank) of ``values``."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def latest(h: Harness, call_id: str) -> dict[str, Any]:
    transfers = h.api("GET", f"/api/calls/{call_id}/transfers")
    return dict(transfers[-1]) if transfers else {}


def one_transfer(h: Harness, n: int) -> tuple[float, float]:
    """One call: consult, complete; (seconds to Asterisk's transfer, seconds to confirmation)."""
    before = h.call_ids()
    caller = h.call(ResidentCall(number=f"48500100{600 + n}", hangup_after_ms=30_000))
    call = h.wait_call(before, lambda c: c["outcome"] == "answered", 30)
    call_id = call["call_id"]
    body = {"kind": "consult", "target": {"agent": "benchbob"}, "note": "bench"}
    h.api("POST", f"/api/calls/{call_id}/transfer", body)
    h.wait_for(
        lambda: any(leg["step"] == "ConsultAnswered" for leg in latest(h, call_id).get("legs", [])),
        20, "the colleague to answer",
    )  # fmt: skip
    start = time.time()
    h.api("POST", f"/api/calls/{call_id}/transfer/complete", {})
    while latest(h, call_id).get("state") != "completed":
        if time.time() - start > 20:
            raise RuntimeError(f"transfer of {call_id} not confirmed")
        time.sleep(0.02)
    confirmed = time.time() - start
    [leg] = [x for x in latest(h, call_id)["legs"] if x["step"] == "CallTransferred"]
    bridged = datetime.fromisoformat(leg["at"]).timestamp() - start
    process.rx(provision.locate(h.settings), "channel request hangup all")
    caller.wait(60)
    h.wait_for(lambda: h.api("GET", "/api/agents/benchala")["state"] == "available", 30, "wrap-up")
    return bridged, confirmed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=10)
    args = parser.parse_args()
    state = Path(tempfile.mkdtemp(prefix="cic-bench-xfer-"))
    h = Harness.create(
        state, CIC_OFFICE__RECORDING_POLICY="never", CIC_OFFICE__WRAPUP_SECONDS="1",
        CIC_OFFICE__PROMPTS_DIR=str(short_prompts(state / "prompts")),
    )  # fmt: skip
    bridged: list[float] = []
    confirmed: list[float] = []
    try:
        h.start_controller()
        h.login("benchala", calls=0)
        h.agent("benchbob", AgentPhone(ring_ms=200))
        for n in range(args.calls):
            b, c = one_transfer(h, n)
            bridged.append(b * 1000)
            confirmed.append(c * 1000)
    finally:
        h.close()
    print(f"{len(bridged)} attended transfers completed through the API")
    for name, values in (("to Asterisk's transfer", bridged), ("to confirmed", confirmed)):
        print(
            f"complete -> {name:24s} p50 {quantile(values, 0.5):7.1f} ms  "
            f"p95 {quantile(values, 0.95):7.1f} ms  mean {statistics.fmean(values):7.1f} ms"
        )


if __name__ == "__main__":
    main()
