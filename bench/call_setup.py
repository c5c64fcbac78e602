"""Call setup through FastAGI routing vs the same dialplan without the controller (fallback).

    PYTHONPATH=. python bench/call_setup.py [--rate 20] [--calls 200]

Both phases run in one session on the same Asterisk instance with SIPp residents at the same
target rate; each call is answered, waits in the first-line queue for 2 s and hangs up. Phase A
routes every call over FastAGI; phase B stops the controller, so the dialplan's AGI fails at
once and the call goes straight to the queue (the static path). Prints sustained calls per
second of each phase, their ratio (goal >= 0.9) and the controller's routing decision latency
p50/p99 (goal p99 <= 5 ms at 20 calls/s). Figures only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import csv
import tempfile
import time
import wave
from pathlib import Path

from cic.sipp.runner import Sipp
from cic.sipp.scenarios import ResidentCall, resident_xml
from tests.integration.harness import Harness


def short_prompts(folder: Path) -> Path:
    """A 0.2 s silent welcome prompt so the bench measures routing, not speech."""
    folder.mkdir(parents=True, exist_ok=True)
    with wave.open(str(folder / "welcome.wav"), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\0\0" * 1600)
    return folder


def phase(h: Harness, rate: float, calls: int) -> tuple[float, int, int]:
    """Place ``calls`` at ``rate``; returns (sustained calls/s, successful, failed)."""
    port = h.port()
    sipp = Sipp(
        resident_xml(ResidentCall(number="48500100999", name="Bench", hangup_after_ms=2000)),
        local_port=port, media_port=port + 2, target=f"127.0.0.1:{h.settings.asterisk.sip_port}",
        service=h.settings.office.extension, calls=calls, rate=rate, max_concurrent=200,
    )  # fmt: skip
    start = time.monotonic()
    sipp.start()
    sipp.wait(timeout=calls / rate + 120)
    elapsed = time.monotonic() - start - 2.0  # the last call's hold time is not setup
    rows = list(csv.DictReader((sipp.workdir / "stats.csv").open(), delimiter=";"))
    last = rows[-1] if rows else {}
    ok = int(last.get("SuccessfulCall(C)", 0))
    failed = int(last.get("FailedCall(C)", 0))
    return ok / elapsed if elapsed > 0 else 0.0, ok, failed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=20)
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    state = Path(tempfile.mkdtemp(prefix="cic-bench-"))
    h = Harness.create(
        state, CIC_OFFICE__RECORDING_POLICY="never",
        CIC_OFFICE__PROMPTS_DIR=str(short_prompts(state / "prompts")),
    )  # fmt: skip
    try:
        h.start_controller()
        routed = phase(h, args.rate, args.calls)
        latency = h.api("GET", "/api/status")["routing_latency_ms"]
        h.stop_controller()
        static = phase(h, args.rate, args.calls)
    finally:
        h.close()
    print(f"target rate {args.rate} calls/s, {args.calls} calls per phase")
    print(f"FastAGI routing : {routed[0]:6.2f} calls/s  ok={routed[1]} failed={routed[2]}")
    print(f"static (no AGI) : {static[0]:6.2f} calls/s  ok={static[1]} failed={static[2]}")
    ratio = routed[0] / static[0] if static[0] else float("nan")
    print(f"ratio routed/static: {ratio:.3f} (goal >= 0.9)")
    print(f"routing decision latency ms: {latency} (goal p99 <= 5)")


if __name__ == "__main__":
    main()
