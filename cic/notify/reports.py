"""What supervisors read and do with a batch: its summary, every recipient's result, the
senders' state (a stopped SMS gateway shows here), and cancelling what is still queued.
Every call is authorised here, whatever route it came through."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from cic.auth.actor import Actor
from cic.notify.errors import NotifyError, NotifyForbidden, UnknownBatch
from cic.notify.senders import SenderState
from cic.notify.service import NotifyService, check_batch


class NotifyReports:
    """Reads batches for supervisors; ``states`` gives the running senders' states."""

    def __init__(self, service: NotifyService, states: Callable[[], Sequence[SenderState]]) -> None:
        """Keep the collaborators."""
        self.service, self.states = service, states

    def senders(self, actor: Actor) -> dict[str, Any]:
        """``{"senders": [...]}``: each running sender's state."""
        if not actor.supervising:
            raise NotifyForbidden()
        return {"senders": [state.as_dict() for state in self.states()]}

    async def batch(self, actor: Actor, batch: str) -> dict[str, Any]:
        """``{"summary", "deliveries", "senders"}`` of ``batch`` (404 when it has none)."""
        _authorise(actor, batch)
        summary = await self.service.summary(batch)
        if not summary["total"]:
            raise UnknownBatch()
        return {
            "summary": summary,
            "deliveries": await self.service.deliveries(batch),
            "senders": [state.as_dict() for state in self.states()],
        }

    async def cancel(self, actor: Actor, batch: str) -> dict[str, Any]:
        """Cancel what is still queued of ``batch``; ``{"cancelled": n, "summary"}``."""
        _authorise(actor, batch)
        summary = await self.service.summary(batch)
        if not summary["total"]:
            raise UnknownBatch()
        cancelled = await self.service.cancel(batch)
        return {"cancelled": cancelled, "summary": await self.service.summary(batch)}


def _authorise(actor: Actor, batch: str) -> None:
    if not actor.supervising:
        raise NotifyForbidden()
    try:
        check_batch(batch)
    except NotifyError:
        raise NotifyError(
            "Nazwa partii powiadomień: rodzaj:identyfikator, np. warning:12."
        ) from None
