"""Where the console's browser softphone opens its SIP-over-WebSocket connection."""

from __future__ import annotations

from urllib.parse import urlsplit

from cic.config import Settings


def public_https_netloc(settings: Settings) -> str:
    """``host[:port]`` of ``public_url`` when it is https (served by the TLS proxy), else ``""``."""
    url = urlsplit(settings.public_url)
    return url.netloc.lower() if url.scheme == "https" and url.hostname else ""


def sip_websocket_url(settings: Settings, page_host: str) -> str:
    """``wss://<public host>/ws`` for a page opened at the public https address (the proxy
    passes ``/ws`` to Asterisk); otherwise Asterisk's own port on the page's host,
    ``ws://127.0.0.1:8088/ws`` in the embedded default.

    Browsers allow the microphone only in a secure context and refuse ``ws://`` from an
    https page, so the public address must use the proxy's ``wss://``.
    """
    public = public_https_netloc(settings)
    if public and urlsplit(f"https://{public}").hostname == page_host.lower():
        return f"wss://{public}/ws"
    return f"ws://{page_host}:{settings.asterisk.http_port}/ws"
