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

import logging

import sqlalchemy as sa
from alembic import op

from cic.asterisk.values import SipUri

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
        if contact == "" or not SipUri.valid(contact):
            log.warning("agent %s: stored static_contact is not a valid SIP URI; cleared", username)
            bind.execute(agents.update().where(agents.c.id == agent_id).values(static_contact=None))


def downgrade() -> None:
    """Nothing to undo: the cleared values were unsafe."""
