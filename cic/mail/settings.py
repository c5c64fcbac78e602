"""Typed settings of the office's mailbox (IMAP) and outgoing server (SMTP).

``tls`` is "ssl" (implicit TLS, ports 993/465), "starttls" (143/587) or "none"; "none" is
accepted only for a loopback host, so credentials never cross a network in clear text.
Certificates are always verified (against ``ca_file`` when given, else the system's CAs).
"""

from __future__ import annotations

import ipaddress
import ssl
from dataclasses import dataclass, field
from typing import Literal, get_args

TlsMode = Literal["ssl", "starttls", "none"]


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine (localhost or a loopback address)."""
    if host.lower().rstrip(".") in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _check_common(kind: str, host: str, port: int, tls: str, timeout: float) -> None:
    if not host:
        raise ValueError(f"{kind}: nie podano adresu serwera.")
    if not 0 < port < 65536:
        raise ValueError(f"{kind}: port {port} jest poza zakresem 1–65535.")
    if tls not in get_args(TlsMode):
        raise ValueError(f"{kind}: nieznany tryb TLS {tls!r} (ssl, starttls albo none).")
    if tls == "none" and not is_loopback(host):
        raise ValueError(
            f"{kind}: połączenie bez TLS jest dozwolone tylko z tym samym komputerem "
            f"(localhost), nie z {host}: hasło poszłoby przez sieć jawnym tekstem."
        )
    if timeout <= 0:
        raise ValueError(f"{kind}: limit czasu musi być dodatni.")


def tls_context(ca_file: str) -> ssl.SSLContext:
    """A verifying client context: the system's CAs, or only ``ca_file`` when given."""
    return ssl.create_default_context(cafile=ca_file or None)


@dataclass(frozen=True)
class ImapAccount:
    """The office's mailbox: where to read incoming mail from and how often."""

    host: str
    port: int
    tls: TlsMode
    username: str
    password: str = field(repr=False)
    folders: tuple[str, ...] = ("INBOX",)
    ca_file: str = ""
    poll_seconds: float = 60
    idle: bool = True
    timeout: float = 30

    def __post_init__(self) -> None:
        """Refuse settings that cannot work or would leak the password."""
        _check_common("IMAP", self.host, self.port, self.tls, self.timeout)
        if not self.username:
            raise ValueError("IMAP: nie podano nazwy użytkownika.")
        if not self.folders or any(not folder for folder in self.folders):
            raise ValueError("IMAP: podaj co najmniej jeden folder (np. INBOX).")
        if self.poll_seconds <= 0:
            raise ValueError("IMAP: odstęp sprawdzania poczty musi być dodatni.")


@dataclass(frozen=True)
class SmtpAccount:
    """The office's outgoing server (submission), through which replies are sent."""

    host: str
    port: int
    tls: TlsMode
    username: str = ""
    password: str = field(default="", repr=False)
    ca_file: str = ""
    timeout: float = 30

    def __post_init__(self) -> None:
        """Refuse settings that cannot work or would leak the password."""
        _check_common("SMTP", self.host, self.port, self.tls, self.timeout)
        if self.password and not self.username:
            raise ValueError("SMTP: podano hasło bez nazwy użytkownika.")
