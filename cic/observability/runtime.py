"""The controller process: how late its event loop runs what is due (see ``cic.loop_lag``)."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily, Metric

from cic.loop_lag import LoopLag


class LoopLagCollector:
    """The 99th percentile and the maximum lateness over the recent probes."""

    def __init__(self, lag: LoopLag) -> None:
        """Read ``lag``'s samples."""
        self.lag = lag

    def collect(self) -> Iterator[Metric]:
        """The figures now (nothing before the first probe)."""
        values = sorted(self.lag.samples.values())
        if not values:
            return
        p99 = values[min(len(values) - 1, int(0.99 * len(values)))]
        yield GaugeMetricFamily(
            "cic_event_loop_lag_p99_seconds",
            "99th percentile of the event loop's lateness over the recent probes", value=p99,
        )  # fmt: skip
        yield GaugeMetricFamily(
            "cic_event_loop_lag_max_seconds",
            "The event loop's largest lateness over the recent probes", value=values[-1],
        )  # fmt: skip
