"""The ``cic`` command: ``main`` parses the command line (``main.py``); one module per group
of subcommands (``lifecycle``, ``api``, ``users``, ``demo``); the domains add
their own groups (``cases``, ``privacy``, ``worker``) from their ``cli.py``."""

from __future__ import annotations

from cic.cli.main import main

__all__ = ["main"]
