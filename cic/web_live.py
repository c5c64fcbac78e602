"""Push bus messages to the browser over a websocket (no polling).

The caller decides who may listen and to which topics; this module only checks the Origin
(a page from another site must not read the centre's live data with the user's cookies),
streams, and cleans up when the browser goes away.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from aiohttp import WSMsgType, web

from cic.auth.csrf import check_ws_origin
from cic.bus import Bus

log = logging.getLogger(__name__)


async def stream(
    request: web.Request,
    bus: Bus,
    topics: tuple[str, ...],
    *,
    first: dict[str, Any] | None = None,
    origin_ok: Callable[[web.Request], bool] = check_ws_origin,
) -> web.StreamResponse:
    """Upgrade to a websocket and forward every message of ``topics`` as JSON."""
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
                await ws.send_json({"topic": topics[0], "message": first})
            reader = asyncio.get_running_loop().create_task(_drain(ws))
            try:
                async for topic, message in subscription:
                    if ws.closed or reader.done():
                        break
                    await ws.send_json({"topic": topic, "message": message})
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
