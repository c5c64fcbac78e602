"""Push bus messages to the browser over a websocket (no polling).

The caller decides who may listen, to which topics, and how the Origin is checked (a page from
another site must not read the centre's live data with the user's cookies); this module
refuses a bad origin, streams, and cleans up when the browser goes away.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import WSMsgType, web

from cic.bus import Bus

log = logging.getLogger(__name__)


Outgoing = Callable[[str, dict[str, Any]], Awaitable[dict[str, Any] | None]]


async def as_topic_message(topic: str, message: dict[str, Any]) -> dict[str, Any] | None:
    """The default frame: ``{"topic": ..., "message": ...}``."""
    return {"topic": topic, "message": message}


async def stream(
    request: web.Request,
    bus: Bus,
    topics: tuple[str, ...],
    *,
    origin_ok: Callable[[web.Request], bool],
    first: dict[str, Any] | None = None,
    outgoing: Outgoing = as_topic_message,
) -> web.StreamResponse:
    """Upgrade to a websocket, send ``first`` (as it is), then every message of ``topics`` as
    ``outgoing`` makes it (``None`` skips the message); ``origin_ok`` (the auth domain's
    origin check) refuses a page from another site."""
    if not origin_ok(request):
        return web.json_response(
            {"error": "bad_origin", "message": "Połączenie z innej witryny jest niedozwolone."},
            status=403,
        )
    ws = web.WebSocketResponse(heartbeat=20)
    await ws.prepare(request)
    try:
        async with bus.subscribe(*topics) as subscription:
            if first is not None:
                await ws.send_json(first)
            reader = asyncio.get_running_loop().create_task(_drain(ws))
            try:
                async for topic, message in subscription:
                    if ws.closed or reader.done():
                        break
                    frame = await outgoing(topic, message)
                    if frame is not None:
                        await ws.send_json(frame)
            finally:
                reader.cancel()
    except ConnectionResetError:
        pass
    finally:
        await ws.close()
    return ws


async def _drain(ws: web.WebSocketResponse) -> None:
    """Read (and ignore) what the browser sends, so a close is noticed at once."""
    async for msg in ws:
        if msg.type in (WSMsgType.ERROR, WSMsgType.CLOSE):
            break
