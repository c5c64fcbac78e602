"""A portal under test: a real aiohttp server with the real proxy, error and auth middlewares,
the portal's shared pages and whatever section routes a test adds.

    async with portal_client(store, settings, add=lambda app, portal: ...) as world: ...

``world.get(path)`` and ``world.post(path, data)`` send as a browser would (form-encoded,
the Origin of the page); ``world.token(path)`` reads the hidden ``form_token`` of a page.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from aiohttp import ClientResponse, web
from aiohttp.test_utils import TestClient, TestServer

from cic.auth.middleware import auth_middleware
from cic.auth.proxies import TrustedProxies, forwarded_middleware
from cic.auth.service import AuthService
from cic.config import Settings
from cic.db import Store
from cic.portal import plugin
from cic.web.errors import error_middleware
from cic.web.headers import security_headers

Client = TestClient[Any, Any]
KEY = b"klucz-testowy-portalu"
_TOKEN = re.compile(r'name="form_token" value="([^"]+)"')


@dataclass
class PortalWorld:
    """The client, the store and the portal's shared parts."""

    client: Client
    store: Store
    portal: plugin.Portal

    @property
    def origin(self) -> dict[str, str]:
        """The Origin header of a page of this server."""
        return {"Origin": str(self.client.make_url("")).rstrip("/")}

    async def get(self, path: str, ip: str = "203.0.113.7") -> tuple[int, str]:
        """GET ``path`` from client address ``ip``: (status, body text)."""
        answer = await self.client.get(path, headers={"X-Forwarded-For": ip})
        return answer.status, await answer.text()

    async def post(
        self, path: str, data: dict[str, str], ip: str = "203.0.113.7", follow: bool = False
    ) -> ClientResponse:
        """POST form-encoded ``data`` from a page of this server (redirects not followed)."""
        headers = {**self.origin, "X-Forwarded-For": ip}
        return await self.client.post(path, data=data, headers=headers, allow_redirects=follow)

    async def token(self, path: str) -> str:
        """The hidden ``form_token`` of the page at ``path``."""
        status, body = await self.get(path)
        found = _TOKEN.search(body)
        assert status == 200 and found, f"{path}: no form token ({status})"
        return found.group(1)


@asynccontextmanager
async def portal_client(
    store: Store,
    settings: Settings | None = None,
    add: Callable[[web.Application, plugin.Portal], Any] | None = None,
) -> AsyncIterator[PortalWorld]:
    """Serve the portal (plus ``add``'s routes) on 127.0.0.1 for one test."""
    settings = settings or Settings()
    app = web.Application(middlewares=[
        forwarded_middleware(TrustedProxies(["127.0.0.1"])), security_headers(8088),
        error_middleware(), auth_middleware(AuthService(store), "token-api-testowy"),
    ])  # fmt: skip
    portal = plugin.install(app, plugin.PortalDeps(settings, KEY))
    if add is not None:
        add(app, portal)
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        yield PortalWorld(client, store, portal)
