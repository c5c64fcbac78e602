"""JSON API of the voice sender (supervisor).

GET /api/notify/voice    calls up now, the limit, the peak, calls placed and their rate
"""

from __future__ import annotations

from typing import Annotated

from aiohttp import web
from pydantic import Field
from typing_extensions import TypedDict

from cic.auth.roles import require
from cic.http.endpoint import documented
from cic.notify.voice import VoiceSender


class VoiceStatusOut(TypedDict):
    """The voice sender since the controller started."""

    enabled: bool
    active: Annotated[int, Field(description="połączenia z ostrzeżeniami trwające teraz")]
    limit: Annotated[int, Field(description="najwięcej połączeń naraz (część łącza)")]
    peak: Annotated[int, Field(description="najwięcej połączeń naraz dotąd")]
    placed: int
    reported: int
    timed_out: int
    refused: int
    calls_per_second: Annotated[float, Field(description="tempo rozpoczynania połączeń")]


def routes(sender: VoiceSender, enabled: bool) -> list[web.RouteDef]:
    """The routes of the voice sender's API."""

    @documented(
        "Połączenia głosowe z ostrzeżeniami: ile trwa teraz, limit i tempo",
        returns=VoiceStatusOut,
        errors=(401, 403),
    )
    @require("supervisor")
    async def status(_request: web.Request) -> web.StreamResponse:
        return web.json_response({"enabled": enabled, **sender.status()})

    return [web.get("/api/notify/voice", status)]
