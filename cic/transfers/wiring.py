"""Builds the transfers service from the application's services and adds its routes and sink.

``cic.app.create_app`` calls :func:`install_transfers` once; nothing else here has state.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from cic.agents.errors import AgentNotFound
from cic.transfers import views
from cic.transfers.service import TransferService

if TYPE_CHECKING:
    from cic.app import Services

TRANSFERS = web.AppKey("transfers", TransferService)


def build(services: Services) -> TransferService:
    """The transfers service, fed by the AMI session (its sink is added here)."""
    agents = services.agents

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
        services.store,
        services.bus,
        services.pbx,
        services.tracker.call,
        agent_interface,
        queue_exists,
        free_member=free_member,
    )
    services.ami.sinks.append(service.on_event)
    return service


def install_transfers(app: web.Application, services: Services) -> TransferService:
    """Build the service, keep it under ``app[TRANSFERS]`` and add the transfers API."""
    service = build(services)
    app[TRANSFERS] = service
    app.add_routes(views.routes(service, services.agents.interface_of))
    return service
