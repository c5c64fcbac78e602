"""Agents' fixed contacts that are not a SIP URI cic accepts are cleared.

Until now ``static_contact`` was only checked to start with ``sip:`` and went verbatim into
``pjsip.conf``: a value with a line break added sections to the live PBX. The renderer now
refuses such a value, so one stored earlier would stop every later provisioning; it is
cleared here (the agent then registers from the browser softphone) and the agent's username
is logged for the administrator to set a valid contact again.

Revision ID: 0018
Revises: 0016
Create Date: 2026-12-06
"""

from __future__ import annotations

import ipaddress
import logging
import re

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0016"
branch_labels: str | None = None
depends_on: str | None = None

log = logging.getLogger("alembic.runtime.migration")


def upgrade() -> None:
    """Set ``static_contact`` to NULL where it is not a valid :class:`SipUri`."""
    bind = op.get_bind()
    agents = sa.table(
        "agents", sa.column("id", sa.Integer), sa.column("username", sa.String),
        sa.column("static_contact", sa.String),
    )  # fmt: skip
    rows = bind.execute(
        sa.select(agents.c.id, agents.c.username, agents.c.static_contact).where(
            agents.c.static_contact.is_not(None)
        )
    ).all()
    for agent_id, username, contact in rows:
        if contact == "" or not _valid_sip_uri(contact):
            log.warning("agent %s: stored static_contact is not a valid SIP URI; cleared", username)
            bind.execute(agents.update().where(agents.c.id == agent_id).values(static_contact=None))


def downgrade() -> None:
    """Nothing to undo: the cleared values were unsafe."""


# A frozen copy of the SIP URI grammar as it was when this migration was written (migrations
# import no live code: a later change of the grammar must not change what this step did).
_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?", re.ASCII)
_IPV4ISH = re.compile(r"[0-9.]+", re.ASCII)
_SIP_URI = re.compile(
    r"(?P<scheme>sips?):"
    r"(?:(?P<user>[A-Za-z0-9_.!~*&=+-]{1,64})@)?"
    r"(?:\[(?P<ipv6>[0-9A-Fa-f:.]{2,45})\]|(?P<host>[A-Za-z0-9.-]{1,253}))"
    r"(?::(?P<port>[1-9][0-9]{0,4}))?"
    r"(?:;transport=(?P<transport>udp|tcp|tls|ws|wss))?",
    re.ASCII,
)


def _valid_ip(text: str, kind: type[ipaddress.IPv4Address | ipaddress.IPv6Address]) -> bool:
    try:
        kind(text)
    except ValueError:
        return False
    return True


def _valid_host(text: str) -> bool:
    if not text or len(text) > 253:
        return False
    if _IPV4ISH.fullmatch(text):
        return _valid_ip(text, ipaddress.IPv4Address)
    labels = text[:-1].split(".") if text.endswith(".") else text.split(".")
    return all(_LABEL.fullmatch(label) for label in labels) and not labels[-1].isdigit()


def _valid_sip_uri(text: str) -> bool:
    match = _SIP_URI.fullmatch(text)
    if match is None:
        return False
    port = match.group("port")
    if port is not None and int(port) > 65535:
        return False
    ipv6 = match.group("ipv6")
    if ipv6 is not None:
        hexdigits = all(c in "0123456789abcdefABCDEF:." for c in ipv6)
        return hexdigits and _valid_ip(ipv6, ipaddress.IPv6Address)
    return _valid_host(match.group("host"))
