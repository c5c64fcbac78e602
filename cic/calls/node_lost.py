"""Closing the calls of an Asterisk node that is gone (``ha.node``, several nodes).

With one controller per node, a node whose Asterisk died (kill -9, power loss) sends no
hang-ups: its calls would stay open in the shared database for ever. When the AMI link to
this node has been down for ``ha.node_lost_seconds``, its calls still open are ended as of
the moment the link was lost (outcome ``lost`` if never answered; end cause
``asterisk node lost``). Only this node's calls (their ids start with ``<node>-``) are
touched: the other nodes' controllers keep theirs. If the node comes back, the resync after
the reconnect finds nothing left to close.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from cic.calls.service import NODE_LOST, CallService

log = logging.getLogger(__name__)


class NodeLostWatch:
    """Watches the AMI link; ends this node's open calls once it has been down long enough."""

    def __init__(
        self,
        calls: CallService,
        lost_since: Callable[[], datetime | None],
        after_seconds: float,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        """``lost_since`` gives when the link went down (``None`` while it is up)."""
        self.calls = calls
        self.lost_since = lost_since
        self.after = timedelta(seconds=after_seconds)
        self.clock = clock
        self._closed_for: datetime | None = None

    async def check(self) -> bool:
        """Close the calls if the link is down long enough and they were not closed for this
        outage yet; True when it closed them now."""
        since = self.lost_since()
        if since is None or since == self._closed_for or self.clock() - since < self.after:
            return False
        log.warning("Asterisk node unreachable since %s: closing its open calls", since)
        await self.calls.reconcile(frozenset(), since, NODE_LOST)
        self._closed_for = since
        return True

    async def run(self, interval: float = 1.0) -> None:
        """Check forever, every ``interval`` seconds."""
        while True:
            await asyncio.sleep(interval)
            try:
                await self.check()
            except Exception:
                log.exception("closing the calls of a lost node failed")
