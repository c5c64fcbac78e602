"""AMI tracker throughput: how many AMI events per second one core folds into domain events.

Replays the AMI fixtures (``tests/fixtures/ami/*.json``, those without resync control items
and without malformed events) many times. Each copy gets its own uniqueids/linkedids (so
every copy is a distinct call) and shifted timestamps; ``--concurrency`` copies are
interleaved event by event so that many calls are live at once, as in an office at peak.
Events are built before timing; only ``Tracker.feed`` is timed. It runs once with plain dicts
and, if panoramisk is installed, once with panoramisk ``Message`` objects (case-insensitive
header lookups, what the controller really feeds). Goal: at least 20,000 events/s.

    python bench/tracker_throughput.py [--copies 2000] [--concurrency 50] [--rounds 3]
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from cic.asterisk.tracker import Tracker

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "ami"
ID_KEYS = ("Uniqueid", "Linkedid", "DestUniqueid", "DestLinkedid", "CallId")
GOAL = 20_000


def usable_fixtures() -> list[tuple[str, list[dict[str, str]]]]:
    """Fixtures a plain live replay handles cleanly (no resync items, nothing rejected)."""
    chosen = []
    for path in sorted(FIXTURES.glob("*.json")):
        events = json.loads(path.read_text(encoding="utf-8"))["events"]
        if any("_control" in e for e in events):
            continue
        tracker = Tracker()
        for event in events:
            tracker.feed(event)
        if tracker.rejected == 0 and tracker.internal_errors == 0:
            chosen.append((path.stem, events))
    return chosen


def copy_of(events: list[dict[str, str]], n: int, shift: float) -> list[dict[str, str]]:
    """Copy ``n`` of a fixture: distinct ids, timestamps moved by ``shift`` seconds."""
    suffix = f"-{n}"
    copied = []
    for event in events:
        new = dict(event)
        for key in ID_KEYS:
            if key in new:
                new[key] += suffix
        if "Timestamp" in new:
            new["Timestamp"] = f"{float(new['Timestamp']) + shift:.6f}"
        copied.append(new)
    return copied


def workload(copies: int, concurrency: int) -> tuple[list[dict[str, str]], list[str]]:
    """All events of ``copies`` fixture copies, interleaved ``concurrency`` copies at a time."""
    fixtures = usable_fixtures()
    stream: list[dict[str, str]] = []
    for start in range(0, copies, concurrency):
        group = []
        for n in range(start, min(start + concurrency, copies)):
            _name, events = fixtures[n % len(fixtures)]
            group.append(copy_of(events, n, shift=n * 10.0))
        longest = max(len(g) for g in group)
        for index in range(longest):
            stream.extend(g[index] for g in group if index < len(g))
    return stream, [name for name, _ in fixtures]


def run(events: list[Any], rounds: int) -> tuple[list[float], int, Tracker]:
    """Feed ``events`` to a fresh tracker ``rounds`` times; return the times per round."""
    timings = []
    produced = 0
    tracker = Tracker()
    for _ in range(rounds):
        tracker = Tracker()
        feed = tracker.feed
        produced = 0
        gc.collect()
        started = time.perf_counter()
        for event in events:
            produced += len(feed(event))
        timings.append(time.perf_counter() - started)
    return timings, produced, tracker


def report(label: str, events: list[Any], rounds: int) -> None:
    timings, produced, tracker = run(events, rounds)
    best, median = min(timings), statistics.median(timings)
    print(f"{label}:")
    print(f"  AMI events fed        {len(events):>12,}")
    print(f"  domain events out     {produced:>12,}")
    print(f"  rejected / bugs       {tracker.rejected:>8,} / {tracker.internal_errors}")
    print(f"  live calls at the end {len(tracker.live_call_ids()):>12,}")
    print(f"  best round            {best:>12.3f} s   {len(events) / best:>12,.0f} events/s")
    print(f"  median round          {median:>12.3f} s   {len(events) / median:>12,.0f} events/s")
    print(f"  goal                  {GOAL:>12,} events/s   x{len(events) / median / GOAL:.1f}")


def panoramisk_messages() -> Callable[[Mapping[str, str]], Any] | None:
    try:
        from panoramisk.message import Message
    except ImportError:
        return None
    return Message


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=2000, help="fixture copies (calls)")
    parser.add_argument("--concurrency", type=int, default=50, help="calls interleaved at once")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    events, names = workload(args.copies, max(1, args.concurrency))
    print(f"fixtures replayed: {', '.join(names)}")
    print(
        f"{args.copies:,} calls, {args.concurrency} interleaved, {args.rounds} rounds, one core\n"
    )
    report("plain dict events", events, args.rounds)
    message = panoramisk_messages()
    if message is not None:
        print()
        report("panoramisk Message events", [message(e) for e in events], args.rounds)


if __name__ == "__main__":
    main()
