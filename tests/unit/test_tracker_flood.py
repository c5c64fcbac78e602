"""An AMI event flood from a noisy PBX: the tracker's memory stays bounded.

Thousands of calls (the recorded AMI fixtures, each copy with its own ids) interleaved with
noise the tracker must ignore (events of channels it never saw, unknown event types, local
channels, varsets): after more than twice as many calls the tracker holds no more than after the
first batch, beyond the bounded memory of ended calls.
"""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Iterator

from bench.tracker_throughput import copy_of, usable_fixtures
from cic.asterisk.tracker import Tracker


def noise(n: int) -> Iterator[dict[str, str]]:
    """What a busy PBX sends besides our calls: none of it may leave state behind."""
    stamp = f"{1796000000 + n}.000000"
    channel = f"PJSIP/other-trunk-{n:08x}"
    yield {"Event": "Newchannel", "Channel": channel, "Uniqueid": f"noise.{n}",
           "Linkedid": f"noise.{n}", "Context": "from-elsewhere", "Exten": "123",
           "Timestamp": stamp}  # fmt: skip
    yield {"Event": "VarSet", "Channel": channel, "Uniqueid": f"noise.{n}",
           "Variable": "SOMETHING", "Value": "x" * 50, "Timestamp": stamp}  # fmt: skip
    yield {"Event": "Newexten", "Channel": f"Local/{n}@ctx-0001;1", "Uniqueid": f"local.{n}",
           "Linkedid": f"local.{n}", "Context": "ctx", "Timestamp": stamp}  # fmt: skip
    yield {"Event": "RTCPSent", "Channel": channel, "Uniqueid": f"noise.{n}", "Timestamp": stamp}
    yield {"Event": "Hangup", "Channel": channel, "Uniqueid": f"noise.{n}",
           "Linkedid": f"noise.{n}", "Cause": "16", "Timestamp": stamp}  # fmt: skip
    yield {"Event": "Hangup", "Channel": f"PJSIP/never-seen-{n}", "Uniqueid": f"ghost.{n}",
           "Timestamp": stamp}  # fmt: skip


def flood(tracker: Tracker, start: int, calls: int) -> int:
    """Feed ``calls`` fixture copies interleaved with noise; returns domain events out."""
    fixtures = usable_fixtures()
    out = 0
    for n in range(start, start + calls):
        _name, events = fixtures[n % len(fixtures)]
        for index, event in enumerate(copy_of(events, n, shift=n * 10.0)):
            out += len(tracker.feed(event))
            if index % 3 == 0:
                for extra in noise(n * 100 + index):
                    tracker.feed(extra)
    return out


def test_memory_stays_bounded_under_a_flood() -> None:
    tracker = Tracker(ended_memory=500)
    tracemalloc.start()
    try:
        flood(tracker, 0, 600)  # the memory of ended calls fills up
        gc.collect()
        after_batch, _ = tracemalloc.get_traced_memory()
        produced = flood(tracker, 600, 1500)  # more than twice as many calls again
        gc.collect()
        after_flood, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert produced > 1500  # the calls were tracked, not dropped
    assert tracker.live_call_ids() == frozenset()
    assert tracker.internal_errors == 0
    # Bounded: the flood added nothing that grows with the number of calls (a per-call leak of
    # even 100 bytes would add 150 kB here).
    assert after_flood - after_batch < 100_000, (after_batch, after_flood)
