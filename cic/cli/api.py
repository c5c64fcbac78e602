"""``cic agents ...`` and ``cic calls ...``: talk to the running controller's JSON API."""

from __future__ import annotations

import argparse
import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from cic.config import Settings
from cic.credentials import Credentials
from cic.errors import CommandError


def request(settings: Settings, method: str, path: str, body: Any = None) -> Any:
    """One authenticated JSON request to the controller."""
    url = f"http://{settings.web_host}:{settings.web_port}{path}"
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Authorization", f"Bearer {Credentials(settings.secrets_path).api_token}")
    req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:  # noqa: S310
            return json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as exc:
        try:
            detail = json.loads(exc.read()).get("message", exc.reason)
        except ValueError:
            detail = exc.reason
        raise CommandError(f"{exc.code}: {detail}") from exc
    except OSError as exc:
        raise CommandError(f"kontroler nie odpowiada pod {url} ({exc}); uruchom: cic up") from exc


def agents(settings: Settings, args: argparse.Namespace) -> Any:
    """Agents: add, list, login, logout, pause, unpause."""
    if args.action == "add":
        body = {"username": args.username, "display_name": args.display_name}
        if args.contact:
            body["static_contact"] = args.contact
        if args.queue:
            body["queues"] = args.queue
        return request(settings, "POST", "/api/agents", body)
    if args.action == "list":
        return request(settings, "GET", "/api/agents")
    body = {"reason": args.reason} if args.action == "pause" else {}
    return request(settings, "POST", f"/api/agents/{args.username}/{args.action}", body)


def format_call(call: dict[str, Any]) -> str:
    """One line of ``cic calls list``."""
    wait, talk = call.get("wait_seconds"), call.get("talk_seconds")
    wait = None if wait is None else round(wait, 1)
    talk = None if talk is None else round(talk, 1)
    return (
        f"{call.get('entered_at') or '-':32} {call.get('call_id'):20} "
        f"{call.get('outcome') or '-':11} kolejka={call.get('queue') or '-'} "
        f"konsultant={call.get('agent') or '-'} "
        f"czekanie={'-' if wait is None else wait}s rozmowa={'-' if talk is None else talk}s "
        f"nagranie={call.get('recording_consent') or '-'} "
        f"trasa={call.get('routing_reason') or '-'}"
    )


def calls(settings: Settings, args: argparse.Namespace) -> Any:
    """Calls: list (table or JSON) and show one (JSON)."""
    if args.action == "show":
        return request(settings, "GET", f"/api/calls/{urllib.parse.quote(args.call_id, safe='')}")
    rows = request(settings, "GET", f"/api/calls?limit={args.limit}")
    if args.json:
        return rows
    for row in rows:
        print(format_call(row))
    if not rows:
        print("Brak połączeń w rejestrze.")
    return None


def office(settings: Settings, action: str) -> Any:
    """``cic office status`` or switch the mode: auto (hours), open (on duty), closed."""
    if action == "status":
        return request(settings, "GET", "/api/office")
    return request(settings, "POST", "/api/office/mode", {"mode": action, "by": "cic office"})
