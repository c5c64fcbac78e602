"""A local SMS gateway for tests: SMSAPI.pl's ``POST /sms.do`` as its documentation describes
it (see ``cic.sms.smsapi``), on a free 127.0.0.1 port.

It checks the Bearer token (error 101, HTTP 401), the number (``48`` and nine digits of a
Polish mobile number, else error 13; a blacklisted one: 57), the sender name (14), the
account's points (103 when they run out), ``idx`` with ``check_idx`` (53 for a key sent
before), and a rate limit: past ``per_second`` requests within one second it answers HTTP 429
with error 203. Failures on demand: ``fail_next(k, status)`` answers the next ``k`` requests
with an HTTP error, ``delay`` holds every answer back (for timeouts). Every request is
recorded in ``received`` and every accepted message in ``sent``.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

TOKEN = "test-token-0123456789"
#: The first digits of Polish mobile numbers (after 48).
MOBILE = ("45", "5", "6", "7", "8")


@dataclass
class Received:
    """One request as the gateway saw it."""

    form: dict[str, str]
    authorization: str
    answer: int
    error: int = 0


@dataclass
class SmsGateway:
    """The gateway's state; ``start()`` serves it, ``url`` is its base address."""

    token: str = TOKEN
    senders: tuple[str, ...] = ("Gmina", "UG Test")
    points: float = 1000.0
    price: float = 0.16
    per_second: int = 0
    blacklist: set[str] = field(default_factory=set)
    delay: float = 0.0
    received: list[Received] = field(default_factory=list)
    sent: list[dict[str, str]] = field(default_factory=list)
    _failures: deque[int] = field(default_factory=deque)
    _recent: deque[float] = field(default_factory=deque)
    _keys: set[str] = field(default_factory=set)
    _last_error: int = 0
    _runner: web.AppRunner | None = None
    url: str = ""

    async def start(self) -> str:
        """Serve on a free loopback port; returns the base URL."""
        app = web.Application()
        app.router.add_post("/sms.do", self._sms)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    async def stop(self) -> None:
        """Stop serving."""
        if self._runner is not None:
            await self._runner.cleanup()

    def fail_next(self, count: int, status: int = 503) -> None:
        """Answer the next ``count`` requests with HTTP ``status``."""
        self._failures.extend([status] * count)

    def numbers(self) -> list[str]:
        """The numbers of the accepted messages, in order."""
        return [message["to"] for message in self.sent]

    async def _sms(self, request: web.Request) -> web.StreamResponse:
        form = {k: str(v) for k, v in (await request.post()).items()}
        auth = request.headers.get("Authorization", "")
        response = self._answer(form, auth)  # decided on arrival, answered after ``delay``
        self.received.append(Received(form, auth, response.status, self._last_error))
        if self.delay:
            await asyncio.sleep(self.delay)
        return response

    def _answer(self, form: dict[str, str], auth: str) -> web.Response:
        self._last_error = 0
        if self._failures:
            status = self._failures.popleft()
            return web.Response(status=status, text="Service Unavailable")
        now = time.monotonic()
        while self._recent and self._recent[0] <= now - 1.0:
            self._recent.popleft()
        if self.per_second and len(self._recent) >= self.per_second:
            response = self._error(203, "Too many requests", status=429)
            response.headers["Retry-After"] = "1"
            return response
        self._recent.append(now)
        if auth != f"Bearer {self.token}":
            return self._error(101, "Authorization failed", status=401)
        if form.get("format") != "json":
            return self._error(8, "Error in request")
        sender = form.get("from", "")
        if sender and sender not in self.senders:
            return self._error(14, "Invalid sender name")
        to = form.get("to", "")
        if not _mobile(to):
            return self._error(13, "No correct phone numbers")
        if to in self.blacklist:
            return self._error(57, "Recipient is on the blacklist")
        message = form.get("message", "")
        if not message:
            return self._error(11, "Message empty")
        idx = form.get("idx", "")
        if idx and form.get("check_idx") == "1" and idx in self._keys:
            return self._error(53, "Not unique idx")
        if self.points < self.price:
            return self._error(103, "Not enough points")
        self.points -= self.price
        if idx:
            self._keys.add(idx)
        self.sent.append(form)
        body: dict[str, Any] = {
            "count": 1,
            "list": [{
                "id": f"{len(self.sent):016X}", "points": self.price, "number": to,
                "date_sent": int(time.time()), "submitted_number": to, "status": "QUEUE",
                "error": None, "idx": idx or None,
            }],
        }  # fmt: skip
        return web.json_response(body)

    def _error(self, code: int, message: str, status: int = 200) -> web.Response:
        self._last_error = code
        return web.json_response({"error": code, "message": message}, status=status)


def _mobile(to: str) -> bool:
    national = to[2:]
    return (
        len(to) == 11 and to.isascii() and to.isdigit() and to.startswith("48")
        and national.startswith(MOBILE)
    )  # fmt: skip
