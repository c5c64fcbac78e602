"""``cic sms token``: keep the SMS gateway's API token in the secrets file.

The token is read from standard input (``cic sms token < plik`` or typed and ended with
Enter), never from the command line, so it stays out of the shell's history and the process
list. ``sms.token`` in the settings (``CIC_SMS__TOKEN``), when set, is used before this one.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from cic.config import Settings
from cic.credentials import Credentials
from cic.errors import CommandError

MAX_TOKEN = 500


def add_parser(sub: Any) -> None:
    """Add ``sms`` and its subcommand to the ``cic`` parser."""
    sms = sub.add_parser("sms", help="bramka SMS: token API")
    ssub = sms.add_subparsers(dest="action", required=True)
    ssub.add_parser("token", help="zapisz token API bramki SMS (ze standardowego wejścia)")


def run(settings: Settings, args: argparse.Namespace) -> dict[str, Any]:
    """Store the token read from standard input; says where, never the token."""
    token = sys.stdin.readline(MAX_TOKEN + 2).strip()
    if not token or len(token) > MAX_TOKEN or not token.isprintable() or " " in token:
        raise CommandError(
            f"token API: jeden wiersz bez spacji, od 1 do {MAX_TOKEN} znaków, ze standardowego "
            "wejścia (np. cic sms token < token.txt)"
        )
    Credentials(settings.secrets_path).set_secret("sms_token", token)
    used = "ustawienie sms.token" if settings.sms.token else "ten token"
    return {"zapisano": str(settings.secrets_path), "klucz": "sms_token", "uzywany": used}
