"""Who may read ``/metrics`` and ``/readyz``: not the public, and no session is looked at.

Allowed: a client whose address (``request.remote``, after the trusted proxies were walked) is
in ``metrics.allow_from`` (the loopback by default), or a request with
``Authorization: Bearer <token>`` where the token is the one in ``metrics.token_file``.
Everyone else gets 403. A reverse proxy on the same host connects from the loopback: it must
not pass these paths through (see README, "Metryki i zdrowie").
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
from collections.abc import Iterable
from pathlib import Path

from cic.auth.proxies import parse_hop

log = logging.getLogger(__name__)
MONITORING_PATHS = frozenset({"/metrics", "/readyz"})
LOOPBACK = ("127.0.0.1", "::1")


def read_token(path: str) -> str:
    """The token in the file at ``path`` ('' when no file is set or it cannot be read:
    logged, and then only the allowed addresses get in)."""
    if not path:
        return ""
    try:
        token = Path(path).read_text(encoding="utf-8").strip()
    except OSError as exc:
        log.error("metrics.token_file %s cannot be read (%s): token access is off", path, exc)
        return ""
    if not token:
        log.error("metrics.token_file %s is empty: token access is off", path)
    return token


class MonitoringAccess:
    """The allowed networks and the token (see the module doc)."""

    def __init__(self, allow_from: Iterable[str], token: str = "") -> None:
        """``allow_from``: addresses or networks; ``token``: '' for none."""
        self.networks = [ipaddress.ip_network(str(e).strip(), strict=False) for e in allow_from]
        self.expected = f"Bearer {token}".encode() if token else b""

    def allows(self, remote: str | None, authorization: str | None) -> bool:
        """True for an allowed address or the right bearer token."""
        if self.expected and authorization is not None:
            if hmac.compare_digest(authorization.encode(), self.expected):
                return True
        ip = parse_hop(remote or "")
        return ip is not None and any(ip in network for network in self.networks)
