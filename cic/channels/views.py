"""The message queue over HTTP (JSON, Polish messages).

GET /api/wiadomosci (the queue), GET /api/wiadomosci/zalegle (overdue answers),
GET /api/wiadomosci/automatyczne and /niewyslane (supervisors), POST
/api/wiadomosci/niewyslane/{id}/ponow, GET /api/zgloszenia/{id}/wiadomosci (a report's
messages), POST /api/zgloszenia/{id}/{przejmij|zwolnij|odpowiedz|przekaz|zamknij}, GET
/api/zalaczniki/{id} (an attachment, always as a download).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import quote

from aiohttp import web

from cic.auth.actor import Actor, AgentInterface, actor_of
from cic.auth.roles import require
from cic.channels.errors import InvalidMessage
from cic.channels.outbox import OutboxSender
from cic.channels.schemas import HandOverIn, ReplyIn
from cic.channels.service import ChannelService
from cic.http.endpoint import documented
from cic.http.schemas import read_body

STAFF = ("agent", "specialist", "supervisor")
SUPERVISORS = ("supervisor",)
MAX_BODY = 100_000


def _number(request: web.Request, name: str = "id") -> int:
    raw = request.match_info[name]
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9:
        raise InvalidMessage("Numer to liczba.")
    return int(raw)


def routes(
    service: ChannelService,
    outbox: OutboxSender | None,
    interface_of: AgentInterface | None = None,
    mailbox: Callable[[], dict[str, object]] | None = None,
) -> list[web.RouteDef]:
    """The message-queue routes; ``outbox`` retries messages given up on (None: no mailbox);
    ``mailbox`` tells how the mailbox reader is doing."""

    async def _actor(request: web.Request) -> Actor:
        return await actor_of(request, interface_of)

    @documented("Kolejka wiadomości (e-mail, formularz www)", errors=(401, 403, 503))
    @require(*STAFF)
    async def queue(request: web.Request) -> web.StreamResponse:
        return web.json_response(await service.queue(await _actor(request)))

    @documented("Wiadomości po terminie odpowiedzi", errors=(401, 403, 503))
    @require(*STAFF)
    async def overdue(request: web.Request) -> web.StreamResponse:
        return web.json_response(await service.overdue(await _actor(request)))

    @documented("Poczta automatyczna bez zgłoszenia (zwroty, autoodpowiedzi)",
                errors=(401, 403, 503))  # fmt: skip
    @require(*SUPERVISORS)
    async def automatic(request: web.Request) -> web.StreamResponse:
        return web.json_response(await service.automatic())

    @documented("Stan skrzynki urzędu: czy jest podłączona, ostatni błąd, ile przyjęto",
                errors=(401, 403))  # fmt: skip
    @require(*SUPERVISORS)
    async def mailbox_state(request: web.Request) -> web.StreamResponse:
        state = mailbox() if mailbox is not None else {"enabled": False}
        return web.json_response(state)

    @documented("Wiadomości, których nie udało się wysłać", errors=(401, 403, 503))
    @require(*SUPERVISORS)
    async def failed(request: web.Request) -> web.StreamResponse:
        return web.json_response(await service.failed_sends())

    @documented("Wyślij ponownie wiadomość, której nie wysłano", status=202,
                errors=(400, 401, 403, 409, 503))  # fmt: skip
    @require(*SUPERVISORS)
    async def retry(request: web.Request) -> web.StreamResponse:
        if outbox is None:
            raise InvalidMessage("Skrzynka urzędu nie jest skonfigurowana (mail.enabled).")
        await outbox.retry(_number(request))
        await service.publish_board()  # the wallboard's count of failed sends goes down now
        return web.json_response({"retrying": True}, status=202)

    @documented("Zgłoszenie z jego wiadomościami", errors=(400, 401, 403, 404, 503))
    @require(*STAFF)
    async def messages(request: web.Request) -> web.StreamResponse:
        return web.json_response(await service.messages(_number(request), await _actor(request)))

    @documented("Przejmij, zwolnij, zamknij wiadomość", errors=(400, 401, 403, 404, 409, 503))
    @require(*STAFF)
    async def act(request: web.Request) -> web.StreamResponse:
        action, actor = request.match_info["action"], await _actor(request)
        report_id = _number(request)
        handlers: dict[str, Callable[[int, Actor], Awaitable[dict[str, object]]]] = {
            "przejmij": service.take, "zwolnij": service.release, "zamknij": service.close,
        }  # fmt: skip
        return web.json_response(await handlers[action](report_id, actor))

    @documented("Odpowiedz mieszkańcowi e-mailem (w wątku)", body=ReplyIn, status=202,
                errors=(400, 401, 403, 404, 409, 503))  # fmt: skip
    @require(*STAFF)
    async def reply(request: web.Request) -> web.StreamResponse:
        body = await read_body(request, ReplyIn, InvalidMessage, MAX_BODY)
        out = await service.reply(_number(request), body.model_dump(), await _actor(request))
        return web.json_response(out, status=202)

    @documented("Przekaż wiadomość komórce", body=HandOverIn,
                errors=(400, 401, 403, 404, 503))  # fmt: skip
    @require(*STAFF)
    async def hand_over(request: web.Request) -> web.StreamResponse:
        body = await read_body(request, HandOverIn, InvalidMessage, MAX_BODY)
        out = await service.hand_over(_number(request), body.model_dump(), await _actor(request))
        return web.json_response(out)

    @documented("Załącznik wiadomości (do pobrania)", errors=(400, 401, 403, 404, 410, 503),
                media="application/octet-stream")  # fmt: skip
    @require(*STAFF)
    async def attachment(request: web.Request) -> web.StreamResponse:
        name, _kind, data = await service.attachment(_number(request), await _actor(request))
        # Always a download of opaque bytes: content a resident sent is never rendered in
        # the office's origin (an HTML or SVG "attachment" would run as our page).
        ascii_name = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_"
                             for c in name)  # fmt: skip
        return web.Response(
            body=data,
            content_type="application/octet-stream",
            headers={
                "Content-Disposition": f'attachment; filename="{ascii_name}"; '
                f"filename*=UTF-8''{quote(name)}",
                "X-Content-Type-Options": "nosniff",
                "Cache-Control": "no-store",
            },
        )

    return [
        web.get("/api/wiadomosci", queue),
        web.get("/api/wiadomosci/zalegle", overdue),
        web.get("/api/wiadomosci/automatyczne", automatic),
        web.get("/api/wiadomosci/niewyslane", failed),
        web.get("/api/wiadomosci/skrzynka", mailbox_state),
        web.post(r"/api/wiadomosci/niewyslane/{id:\d{1,9}}/ponow", retry),
        web.get(r"/api/zgloszenia/{id:\d{1,9}}/wiadomosci", messages),
        web.post(r"/api/zgloszenia/{id:\d{1,9}}/{action:przejmij|zwolnij|zamknij}", act),
        web.post(r"/api/zgloszenia/{id:\d{1,9}}/odpowiedz", reply),
        web.post(r"/api/zgloszenia/{id:\d{1,9}}/przekaz", hand_over),
        web.get(r"/api/zalaczniki/{id:\d{1,9}}", attachment),
    ]
