"""The Caddyfile of the TLS reverse proxy in front of the console and Asterisk's WebSocket.

One site, ``public_url``'s host and port, over HTTPS only (Caddy redirects plain HTTP on
``tls.http_port`` to it), with HSTS and a request body limit:

* ``/ws`` (exactly: the console's own websockets are ``/ws/agent`` and ``/ws/wallboard``) goes
  to Asterisk's HTTP server, which carries SIP over WebSocket for the browser softphones;
* ``/metrics`` and ``/readyz`` answer 404: they are for the monitoring host, which reads them
  from the controller directly, never for the internet (the proxy connects from the loopback,
  which the controller lets read them);
* everything else goes to the controller. Caddy sets ``X-Forwarded-For``, ``-Proto`` and
  ``-Host`` itself and keeps the browser's ``Host``, so the controller's origin check sees
  the public host.

Certificates: the given PEM files (``tls.cert_file``/``tls.key_file``), else Caddy's own ACME
(Let's Encrypt) with ``tls.acme_email``. Every value is checked by its grammar before anything
is rendered (:class:`ProxyConfigError` names the setting).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from cic.config import Settings

HOST = re.compile(r"(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?", re.ASCII)
IPV4 = re.compile(r"(?:\d{1,3}\.){3}\d{1,3}", re.ASCII)
EMAIL = re.compile(r"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?", re.ASCII)
PATH = re.compile(r"/[A-Za-z0-9._/-]{1,400}", re.ASCII)
ADMIN = re.compile(r"off|(?:localhost|127\.0\.0\.1|\[::1\]):\d{1,5}", re.ASCII)


class ProxyConfigError(ValueError):
    """A setting cannot go into the Caddyfile; the message names it and says what fits."""


@dataclass(frozen=True)
class Site:
    """The validated values the Caddyfile is made of."""

    host: str
    https_port: int
    http_port: int
    controller: str
    asterisk_ws: str
    admin: str
    acme_email: str
    cert_file: str
    key_file: str
    max_body_mb: int


def _need(pattern: re.Pattern[str], value: str, setting: str, what: str) -> str:
    if not pattern.fullmatch(value):
        raise ProxyConfigError(f"{setting}: {value!r} — oczekiwano: {what}")
    return value


def _port(value: int, setting: str) -> int:
    if not 1 <= int(value) <= 65535:
        raise ProxyConfigError(f"{setting}: port od 1 do 65535, jest {value!r}")
    return int(value)


def site(settings: Settings) -> Site:
    """The proxy's values from ``settings``, each checked; raises :class:`ProxyConfigError`."""
    url = urlsplit(settings.public_url)
    if url.scheme != "https" or not url.hostname:
        raise ProxyConfigError("public_url: adres https konsoli, np. https://sok.gmina.pl")
    host = _need(HOST, url.hostname, "public_url", "nazwa hosta (litery, cyfry, '.', '-')")
    tls = settings.tls
    cert, key = tls.cert_file, tls.key_file
    if bool(cert) != bool(key):
        raise ProxyConfigError("tls.cert_file i tls.key_file: oba albo żaden")
    if not cert and not tls.acme_email:
        raise ProxyConfigError(
            "tls.acme_email: adres e-mail dla ACME (Let's Encrypt) albo tls.cert_file i key_file"
        )
    uploads = max(settings.consultations.document_max_mb, settings.safety.photo_max_mb)
    if tls.max_body_mb <= uploads:
        raise ProxyConfigError(
            f"tls.max_body_mb: {tls.max_body_mb} MB nie przepuści plików, na które pozwala cic "
            f"(consultations.document_max_mb, safety.photo_max_mb: do {uploads} MB); ustaw więcej"
        )
    web_host = "127.0.0.1" if settings.web_host in ("0.0.0.0", "") else settings.web_host  # noqa: S104
    if not (IPV4.fullmatch(web_host) or HOST.fullmatch(web_host)):
        raise ProxyConfigError(f"web_host: {web_host!r} — oczekiwano adresu IPv4 albo nazwy hosta")
    return Site(
        host=host,
        https_port=_port(url.port or 443, "public_url"),
        http_port=_port(tls.http_port, "tls.http_port"),
        controller=f"{web_host}:{_port(settings.web_port, 'web_port')}",
        asterisk_ws=f"127.0.0.1:{_port(settings.asterisk.http_port, 'asterisk.http_port')}",
        admin=_need(ADMIN, tls.proxy_admin, "tls.proxy_admin", "off albo localhost:PORT"),
        acme_email=(
            _need(EMAIL, tls.acme_email, "tls.acme_email", "adres e-mail") if tls.acme_email else ""
        ),
        cert_file=_need(PATH, cert, "tls.cert_file", "ścieżka bezwzględna bez spacji")
        if cert
        else "",
        key_file=_need(PATH, key, "tls.key_file", "ścieżka bezwzględna bez spacji") if key else "",
        max_body_mb=int(tls.max_body_mb),
    )


def caddyfile(settings: Settings) -> str:
    """The whole Caddyfile for ``settings``; raises :class:`ProxyConfigError` first."""
    s = site(settings)
    email = f"\temail {s.acme_email}\n" if s.acme_email and not s.cert_file else ""
    certificate = f"\ttls {s.cert_file} {s.key_file}\n" if s.cert_file else ""
    return (
        "# Rendered by `cic proxy config`; edit cic.yaml (public_url, tls.*) and render again.\n"
        "{\n"
        f"\tadmin {s.admin}\n"
        f"\thttp_port {s.http_port}\n"
        f"{email}"
        "}\n\n"
        f"https://{s.host}:{s.https_port} {{\n"
        f"{certificate}"
        "\theader {\n"
        '\t\tStrict-Transport-Security "max-age=31536000"\n'
        "\t\t-Server\n"
        "\t}\n"
        "\trequest_body {\n"
        f"\t\tmax_size {s.max_body_mb}MB\n"
        "\t}\n"
        "\t@monitoring path /metrics /metrics/* /readyz /readyz/*\n"
        "\thandle @monitoring {\n"
        "\t\trespond 404\n"
        "\t}\n"
        "\t# SIP over WebSocket for the browser softphones (not /ws/agent, /ws/wallboard).\n"
        "\thandle /ws {\n"
        f"\t\treverse_proxy {s.asterisk_ws}\n"
        "\t}\n"
        "\thandle {\n"
        f"\t\treverse_proxy {s.controller}\n"
        "\t}\n"
        "}\n"
    )
