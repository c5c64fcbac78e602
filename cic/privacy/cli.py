"""``cic privacy export|rectify|erase|register``: residents' rights, directly on the store.

The controller need not be running. Every action is audited with the actor ``cli``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
from pathlib import Path
from typing import Any

from cic.asterisk.provision import locate
from cic.config import Settings
from cic.db import Store
from cic.errors import CicError, CommandError
from cic.http.schemas import parse_body
from cic.privacy.errors import InvalidRequest
from cic.privacy.register import load_register, markdown
from cic.privacy.schemas import Rectification
from cic.privacy.service import Official, PrivacyService
from cic.recordings.plugin import root_for

CLI = Official("cli")


def add_parser(sub: Any) -> None:
    """Add ``privacy`` and its subcommands to the ``cic`` parser."""
    privacy = sub.add_parser(
        "privacy", help="prawa mieszkańców (RODO): kopia, sprostowanie, usunięcie"
    )
    psub = privacy.add_subparsers(dest="action", required=True)
    export = psub.add_parser(
        "export", help="kopia wszystkich danych mieszkańca (art. 15) do pliku zip"
    )
    export.add_argument("resident_id", type=int)
    export.add_argument("--out", required=True, type=Path, help="plik .zip (nie może istnieć)")
    erase = psub.add_parser("erase", help="plan usunięcia danych (art. 17); --execute wykonuje")
    erase.add_argument("resident_id", type=int)
    erase.add_argument("--execute", action="store_true", help="wykonaj plan (bez tego: bez zmian)")
    rectify = psub.add_parser("rectify", help="sprostowanie danych mieszkańca (art. 16)")
    rectify.add_argument("resident_id", type=int)
    rectify.add_argument("--name", help="imię i nazwisko")
    rectify.add_argument("--note", help="notatka w kartotece")
    rectify.add_argument("--number", action="append", help="numer (powtarzalne): cała nowa lista")
    rectify.add_argument("--party-name", action="append", default=[], metavar="ID=WARTOŚĆ")
    rectify.add_argument("--party-contact", action="append", default=[], metavar="ID=WARTOŚĆ")
    register = psub.add_parser("register", help="rejestr czynności przetwarzania (art. 30)")
    register.add_argument("--json", action="store_true", help="JSON zamiast Markdown")


def rectify_body(args: argparse.Namespace) -> dict[str, Any]:
    """The rectification request from the command's options."""
    body: dict[str, Any] = {}
    for key in ("name", "note"):
        if getattr(args, key) is not None:
            body[key] = getattr(args, key)
    if args.number:
        body["numbers"] = args.number
    parties: dict[int, dict[str, Any]] = {}
    for key, values in (("name", args.party_name), ("contact", args.party_contact)):
        for item in values:
            raw_id, sep, value = item.partition("=")
            if not sep or not raw_id.strip().isdigit():
                raise CommandError(f"--party-{key}: oczekiwano ID=WARTOŚĆ, np. 12=Jan Nowak.")
            parties.setdefault(int(raw_id), {"id": int(raw_id)})[key] = value
    if parties:
        body["parties"] = list(parties.values())
    return body


def _export(service: PrivacyService, resident_id: int, out: Path) -> dict[str, Any]:
    if out.exists():
        raise CommandError(f"Plik {out} już istnieje; podaj inną nazwę.")
    partial = out.with_name(out.name + ".czesciowy")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as target:
            counts = service.export_to(resident_id, target, CLI)
        partial.rename(out)
    finally:
        partial.unlink(missing_ok=True)
    return {"plik": str(out), **vars(counts)}


def run(settings: Settings, args: argparse.Namespace) -> Any:
    """Run ``cic privacy ACTION`` directly on the store."""
    if args.action == "register":
        register = load_register(settings)
        if args.json:
            return register
        print(markdown(register), end="")
        return None
    store = Store(settings.db_url)
    try:
        store.migrate()
        service = PrivacyService(store, settings, root_for(settings, locate(settings)))
        if args.action == "export":
            return _export(service, args.resident_id, args.out)
        if args.action == "rectify":
            body = parse_body(rectify_body(args), Rectification, InvalidRequest)
            return asyncio.run(service.rectify(args.resident_id, body, CLI))
        return asyncio.run(service.erasure(args.resident_id, CLI, execute=args.execute))
    except CicError as exc:
        raise CommandError(exc.message) from exc
    finally:
        store.engine.dispose()
