"""The client's address behind trusted reverse proxies (``auth.trusted_proxies``).

Only when the peer is a trusted proxy is ``X-Forwarded-For`` read, right to left: each trusted
hop is skipped, and the first address that is not trusted is the client. A malformed hop stops
the walk at the last address that was sure (a proxy never writes one, so it came from the
client side). aiohttp-remotes was not used: its ``XForwardedFiltered`` believes the header from
any peer and ``XForwardedStrict`` answers 400 for what this ignores.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
MAX_HOPS = 30


def parse_hop(text: str) -> IPAddress | None:
    """One ``X-Forwarded-For`` entry as an address (``1.2.3.4``, ``1.2.3.4:5``, ``[::1]:5``)."""
    text = text.strip()
    if text.startswith("[") and "]" in text:
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:
        text = text.split(":")[0]
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


class TrustedProxies:
    """The configured proxies; ``client_address`` finds who is behind them."""

    def __init__(self, entries: Iterable[str]) -> None:
        """``entries``: addresses or networks such as ``10.0.0.1``, ``10.0.0.0/8``, ``::1``."""
        self.networks = [ipaddress.ip_network(str(e).strip(), strict=False) for e in entries]

    def __bool__(self) -> bool:
        return bool(self.networks)

    def trusts(self, ip: IPAddress | None) -> bool:
        """True when ``ip`` is one of the proxies."""
        return ip is not None and any(ip in network for network in self.networks)

    def client_address(self, peer: str, forwarded: Sequence[str]) -> str:
        """The client's address given the TCP ``peer`` and the ``X-Forwarded-For`` headers."""
        current = parse_hop(peer)
        if current is None or not self.trusts(current):
            return peer
        hops = [hop for header in forwarded for hop in header.split(",")][-MAX_HOPS:]
        for hop in reversed(hops):
            ip = parse_hop(hop)
            if ip is None:
                break
            current = ip
            if not self.trusts(ip):
                break
        return str(current)


def forwarded_middleware(proxies: TrustedProxies) -> Middleware:
    """Set ``request.remote`` to the client's address for every later middleware and view."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not proxies:
            return await handler(request)
        peer = request.remote or ""
        client = proxies.client_address(peer, request.headers.getall("X-Forwarded-For", []))
        if client != peer:
            request = request.clone(remote=client)
        return await handler(request)

    return middleware
