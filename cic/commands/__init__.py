"""What the ``cic`` command does; one module per group of subcommands."""

from __future__ import annotations

from cic.commands.api import agents, calls, office
from cic.commands.demo import demo_call
from cic.commands.lifecycle import asterisk, down, serve, up
from cic.commands.record import ami_record
from cic.commands.users import users
from cic.errors import CommandError

__all__ = [
    "CommandError",
    "agents",
    "ami_record",
    "asterisk",
    "calls",
    "demo_call",
    "down",
    "office",
    "serve",
    "up",
    "users",
]
