"""A warning by phone call to many voice subscribers on a real instance, residents calling in
meanwhile (the voice part of ``bench/warnings.py``).

    PYTHONPATH=. python bench/warnings_voice.py [--recipients 2000] [--trunk 60] [--reserve 10]
        [--cps 10] [--mix confirm|all] [--inbound 60] [--inbound-rate 0.5]

SIPp behind the trunk answers every call (``--mix confirm``: each number presses 1 after the
question; ``--mix all``: the numbers cycle through the test scenario's behaviours, busy and
unanswered ones included). The controller keeps at most ``--trunk`` minus ``--reserve``
warning calls up and starts at most ``--cps`` a second. Meanwhile ``--inbound`` residents
call the office (``--inbound-rate`` a second, 3 s each).

Prints: the time from queueing the warning until every delivery had its result, the
outcomes, calls placed per second (over the run, and the sender's own start rate), the
warning calls up (peak and mean, from Asterisk's GROUP_COUNT sampled every 0.25 s), the share
of the trunk left for inbound calls (at the peak and on average), and inbound calls answered
out of offered. Figures only; nothing is asserted.

Measured on a 2-core machine (2026-12-06), defaults: 2,000 recipients all confirming took
317 s (6.3 calls/s placed, the 50-channel limit the bound: a confirmed call lasts about 8 s),
peak 50 warning calls up (mean 48.3), 10 of 60 channels (17 %) always left for inbound calls,
60 of 60 residents' calls answered. ``--mix all --recipients 1000``: 173 s, 1,200 calls (busy
and unanswered numbers twice) at 6.9/s, peak 50, 60 of 60 inbound calls answered.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import Counter
from pathlib import Path

from cic.demo.runner import Sipp, SippError
from cic.demo.scenarios import ResidentCall, resident_xml
from tests.integration.harness import Harness, free_port
from tests.integration.notify_voice import (
    GroupSampler,
    numbers,
    queue_warning,
    read_batch,
    start_recipients,
    voice_settings,
)


def main() -> None:
    """Run the bench and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=2000)
    parser.add_argument("--trunk", type=int, default=60)
    parser.add_argument("--reserve", type=int, default=10)
    parser.add_argument("--cps", type=float, default=10.0)
    parser.add_argument("--mix", choices=("confirm", "all"), default="confirm")
    parser.add_argument("--inbound", type=int, default=60)
    parser.add_argument("--inbound-rate", type=float, default=0.5)
    parser.add_argument("--timeout", type=float, default=3600.0)
    args = parser.parse_args()
    limit = args.trunk - args.reserve
    print(f"recipients {args.recipients} ({args.mix}), trunk {args.trunk} channels, reserve "
          f"{args.reserve} (limit {limit}), {args.cps} calls/s at most, inbound "
          f"{args.inbound} at {args.inbound_rate}/s")  # fmt: skip

    trunk_port = free_port()
    with tempfile.TemporaryDirectory(prefix="cic-bench-voice-") as tmp:
        folder = Path(tmp)
        settings = voice_settings(trunk_port, limit, args.trunk, args.reserve, args.cps)
        with Harness.running(folder / "state", **settings) as h:
            run(h, folder, trunk_port, args)


def run(h: Harness, folder: Path, trunk_port: int, args: argparse.Namespace) -> None:
    """Queue the warning, let it be delivered with residents calling in, print figures."""
    h.phones.append(start_recipients(folder, trunk_port))
    sampler = GroupSampler(h.settings).start()
    digits = "0123" if args.mix == "confirm" else "0123456789"
    phones = numbers(args.recipients, 500_000_000, digits)
    started = time.monotonic()
    queued = queue_warning(h.settings, "warning:bench", phones, attempts=2)
    port = h.port()
    h.next_port += 20
    residents = Sipp(
        resident_xml(ResidentCall(number="48500100198", hangup_after_ms=3000)),
        local_port=port, media_port=port + 2, calls=args.inbound, rate=args.inbound_rate,
        target=f"127.0.0.1:{h.settings.asterisk.sip_port}", service=h.settings.office.extension,
    ).start()  # fmt: skip
    h.phones.append(residents)
    summary: dict[str, object] = {}
    while time.monotonic() - started < args.timeout:
        summary, _ = read_batch(h.settings, "warning:bench")
        if summary["finished"]:
            break
        time.sleep(1)
    elapsed = time.monotonic() - started
    sampler.stop()
    try:
        residents.wait(120)
    except SippError:
        pass
    offered, answered = inbound_counts(residents)
    _, deliveries = read_batch(h.settings, "warning:bench")
    status = h.api("GET", "/api/notify/voice")
    outcomes = Counter(d["status"] for d in deliveries)
    limit = args.trunk - args.reserve
    print(f"queued {queued['queued']}; every result recorded: {bool(summary.get('finished'))}")
    print(f"time to deliver: {elapsed:.1f} s ({len(deliveries) / elapsed:.2f} recipients/s)")
    print("outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items())))
    print(f"calls placed: {status['placed']} ({status['placed'] / elapsed:.2f}/s over the run; "
          f"starts paced at {status['calls_per_second']:.2f}/s), timed out "
          f"{status['timed_out']}, refused {status['refused']}")  # fmt: skip
    print(f"warning calls up: peak {sampler.peak} (controller {status['peak']}), mean "
          f"{sampler.mean:.1f}, limit {limit}, {sampler.samples} samples")  # fmt: skip
    print(f"trunk left for inbound: at the peak {(args.trunk - sampler.peak) / args.trunk:.0%} "
          f"({args.trunk - sampler.peak} of {args.trunk} channels), on average "
          f"{(args.trunk - sampler.mean) / args.trunk:.0%}")  # fmt: skip
    print(f"inbound calls answered: {answered} of {offered} offered")


def inbound_counts(residents: Sipp) -> tuple[int, int]:
    """Calls SIPp's residents placed and calls that succeeded (answered), from its stats."""
    stats = sorted(residents.workdir.glob("*.csv"))
    if not stats:
        return 0, 0
    rows = [line.split(";") for line in stats[-1].read_text().splitlines() if line]
    head, last = rows[0], rows[-1]
    total = int(last[head.index("TotalCallCreated")])
    success = int(last[head.index("SuccessfulCall(C)")])
    return total, success


if __name__ == "__main__":
    main()
