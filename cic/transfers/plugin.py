"""Adds transfers to the application: ``install(app, deps)`` in ``cic.web.app.create_app``.

``deps`` holds only what transfers need; nothing else here has state.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from cic.agents.errors import AgentNotFound
from cic.agents.service import AgentService
from cic.asterisk.ami import EventSource
from cic.bus import Bus
from cic.db import Store
from cic.transfers import views
from cic.transfers.service import LiveCall, TransferPbx, TransferService

TRANSFERS = web.AppKey("transfers", TransferService)


@dataclass(frozen=True)
class TransfersDeps:
    """What the transfers domain needs from the rest of the controller."""

    store: Store
    bus: Bus
    pbx: TransferPbx
    live_call: LiveCall
    agents: AgentService
    events: EventSource


def build(deps: TransfersDeps) -> TransferService:
    """The transfers service, subscribed to the domain events of the AMI session."""
    agents = deps.agents

    def agent_interface(username: str) -> str | None:
        try:
            return agents.get(username).interface
        except AgentNotFound:
            return None

    async def queue_exists(name: str) -> bool:
        return name in {queue for queue, _title in await agents.queue_names()}

    def free_member(queue: str, exclude: str) -> str | None:
        """The queue's member who has been available longest (the fairest one to ask)."""
        free = [
            a for a in agents.agents()
            if a.interface != exclude and any(q == queue for q, _ in a.queues)
            and agents.is_available(a.interface)
        ]  # fmt: skip
        free.sort(key=lambda a: str(agents.presence(a.username).get("since") or ""))
        return free[0].interface if free else None

    service = TransferService(
        deps.store,
        deps.bus,
        deps.pbx,
        deps.live_call,
        agent_interface,
        queue_exists,
        free_member=free_member,
    )
    deps.events.add_sink(service.on_event)
    return service


def install(app: web.Application, deps: TransfersDeps) -> TransferService:
    """Build the service, keep it under ``app[TRANSFERS]`` and add the transfers API."""
    service = build(deps)
    app[TRANSFERS] = service
    app.add_routes(views.routes(service, deps.agents.interface_of))
    return service
