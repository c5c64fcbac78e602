"""The PBX link: the AMI session (read at scrape time) and the FastAGI requests (counted as
they end, through :meth:`cic.asterisk.agi.AgiServer.add_observer`)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from cic.asterisk.ami import AmiStats

#: Seconds; a routing conversation normally takes a few milliseconds, the router's limit is 2 s.
AGI_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0)


class AmiCollector:
    """Connection, sync, logins, reconnects, events and the last event's age of the AMI session,
    and whether the FastAGI server listens."""

    def __init__(
        self,
        stats: AmiStats,
        agi_listening: Callable[[], bool],
        clock: Callable[[], float] = time.time,
    ) -> None:
        """Read ``stats`` (the session's own counters) and ``agi_listening``."""
        self.stats = stats
        self.agi_listening = agi_listening
        self.clock = clock

    def collect(self) -> Iterator[Metric]:
        """The figures now."""
        s = self.stats
        yield GaugeMetricFamily(
            "cic_ami_connected", "1 while logged in to Asterisk's manager interface (AMI)",
            value=int(s.connected),
        )  # fmt: skip
        yield GaugeMetricFamily(
            "cic_ami_in_sync", "1 when the live state was re-read from Asterisk since the login",
            value=int(s.in_sync),
        )  # fmt: skip
        yield CounterMetricFamily("cic_ami_logins", "AMI logins since start", value=s.logins)
        yield CounterMetricFamily(
            "cic_ami_reconnects", "AMI logins after the first (the link was lost and regained)",
            value=max(s.logins - 1, 0),
        )  # fmt: skip
        yield CounterMetricFamily("cic_ami_events", "AMI events received", value=s.events)
        yield CounterMetricFamily(
            "cic_ami_handler_errors", "AMI events or resyncs a handler failed on",
            value=s.sink_errors,
        )  # fmt: skip
        if s.last_event_at is not None:
            yield GaugeMetricFamily(
                "cic_ami_last_event_age_seconds", "Seconds since the latest AMI event arrived",
                value=max(self.clock() - s.last_event_at, 0.0),
            )  # fmt: skip
        yield GaugeMetricFamily(
            "cic_fastagi_listening", "1 while the FastAGI server accepts connections",
            value=int(self.agi_listening()),
        )  # fmt: skip


class FastAgiMetrics:
    """``cic_fastagi_requests_total{script,result}`` and the duration histogram of requests
    that reached a script, ``cic_fastagi_request_duration_seconds{script}``."""

    def __init__(self, registry: CollectorRegistry) -> None:
        """Register both metrics in ``registry``."""
        self.requests = Counter(
            "cic_fastagi_requests", "FastAGI requests by script and result",
            ["script", "result"], registry=registry,
        )  # fmt: skip
        self.duration = Histogram(
            "cic_fastagi_request_duration_seconds",
            "FastAGI conversations from connection to close (what the dialplan waits for)",
            ["script"], buckets=AGI_BUCKETS, registry=registry,
        )  # fmt: skip
        self.requests.labels("route", "routed")  # the series exist before the first call

    def observe(self, script: str, result: str, seconds: float) -> None:
        """One request ended (the server's observer hook)."""
        self.requests.labels(script or "-", result).inc()
        if script:
            self.duration.labels(script).observe(seconds)
