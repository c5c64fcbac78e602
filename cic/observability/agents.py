"""Agents: how many are in each presence state, in all and per queue they belong to."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily, Metric

from cic.agents.presence import State
from cic.agents.service import AgentService

STATES = tuple(state.value for state in State)


class AgentsCollector:
    """``cic_agents{state}`` and ``cic_queue_agents{queue,state}`` (no names: counts only)."""

    def __init__(self, agents: AgentService) -> None:
        """Read the presence kept by ``agents``."""
        self.agents = agents

    def collect(self) -> Iterator[Metric]:
        """The figures now."""
        overall = dict.fromkeys(STATES, 0)
        per_queue: dict[str, dict[str, int]] = {}
        for agent in self.agents.agents():
            try:
                state = self.agents.state(agent.username).value
            except KeyError:  # created a moment ago: presence not loaded yet
                continue
            overall[state] += 1
            for queue, _penalty in agent.queues:
                per_queue.setdefault(queue, dict.fromkeys(STATES, 0))[state] += 1
        total = GaugeMetricFamily("cic_agents", "Agents by presence state", labels=["state"])
        for state, count in overall.items():
            total.add_metric([state], count)
        yield total
        queues = GaugeMetricFamily(
            "cic_queue_agents", "Members of the queue by presence state", labels=["queue", "state"]
        )
        for queue in sorted(per_queue):
            for state, count in per_queue[queue].items():
                queues.add_metric([queue, state], count)
        yield queues
