"""The controller's metrics registry and readiness checks, built once per application.

Each application gets a registry of its own (not prometheus_client's global one), so two apps
in one process (tests) never share figures.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, ProcessCollector, generate_latest

from cic.agents.service import AgentService
from cic.asterisk.agi import AgiServer
from cic.asterisk.ami import AmiStats
from cic.asterisk.tracker import Tracker
from cic.db import Store
from cic.loop_lag import LoopLag
from cic.observability.agents import AgentsCollector
from cic.observability.backup import BackupCollector
from cic.observability.calls import CallOutcomes, CallsCollector
from cic.observability.http import http_metrics
from cic.observability.pbx import AmiCollector, FastAgiMetrics
from cic.observability.postcall import PostCallFigures
from cic.observability.queues import QueuesCollector
from cic.observability.readiness import Readiness
from cic.observability.runtime import LoopLagCollector
from cic.wallboard.service import Wallboard

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MonitorDeps:
    """Where the figures are read: the live state of the controller and its store."""

    tracker: Tracker
    ami: AmiStats
    agi: AgiServer
    agents: AgentService
    wallboard: Wallboard
    first_line_queue: str
    loop_lag: LoopLag
    store: Store
    readiness: Readiness
    state_dir: str = ""


class Monitor:
    """The registry (``exposition`` renders it), the HTTP middleware and the call counter."""

    def __init__(self, deps: MonitorDeps) -> None:
        """Register every collector; the FastAGI server reports its requests from now on."""
        self.registry = CollectorRegistry()
        self.readiness = deps.readiness
        ProcessCollector(namespace="cic", registry=self.registry)
        self.outcomes = CallOutcomes()
        self.fastagi = FastAgiMetrics(self.registry)
        deps.agi.add_observer(self.fastagi.observe)
        self.post_call = PostCallFigures(deps.store, self.registry)
        self.middleware = http_metrics(self.registry)
        agents = deps.agents

        def queues() -> list[str]:
            return [deps.first_line_queue, *(q for a in agents.agents() for q, _ in a.queues)]

        for collector in (
            CallsCollector(self.outcomes, deps.tracker),
            QueuesCollector(deps.wallboard, queues),
            AgentsCollector(agents),
            AmiCollector(deps.ami, lambda: deps.agi.listening),
            LoopLagCollector(deps.loop_lag),
            self.post_call,
            self.readiness,
            BackupCollector(deps.state_dir),
        ):
            self.registry.register(collector)

    async def refresh(self) -> None:
        """Read what lives outside this process (database, Redis, the jobs' table)."""
        await asyncio.gather(self.readiness.run(), self._refresh_post_call())

    async def _refresh_post_call(self) -> None:
        try:
            await self.post_call.refresh()
        except Exception as exc:  # the database is down: cic_dependency_up already says so
            log.debug("post-call figures not read: %s", exc)

    def exposition(self) -> bytes:
        """The text exposition format of every metric now."""
        return generate_latest(self.registry)
