"""Injection payloads in every admin field that reaches a rendered Asterisk file, on a real PBX.

Each payload (a line break with a new section, a bare section, a ``;`` comment, dialplan
expressions, NUL, CR) is sent in every field of the admin and agents APIs that ends up in
``pjsip.conf``, ``queues.conf`` or ``extensions.conf``. Each one must be refused with a 400
naming the field, the rendered files must keep their bytes, and Asterisk must go on
reloading its configuration with exactly the endpoints it had.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cic.asterisk import process, provision
from cic.errors import CommandError
from tests.integration.harness import Harness

pytestmark = pytest.mark.integration

PAYLOADS = {
    "newline": "\n[evil]\ntype=endpoint\n",
    "section": "[evil]",
    "comment": ";evil",
    "expression": "${SHELL(id)}",
    "arithmetic": "$[1+1]",
    "nul": "\x00evil",
    "carriage-return": "\r[evil]",
}
CONTACT = "sip:agent-inj-base@127.0.0.1:5999"

# (method, path, body with {p} for the payload, words the refusal must name)
Field = tuple[str, str, Callable[[str], dict[str, Any]], str]
FIELDS: list[Field] = [
    ("POST", "/api/admin/agents", lambda p: {"username": "inj" + p, "display_name": "Inj"},
     "Login konsultanta"),
    ("POST", "/api/admin/agents", lambda p: {"username": "inj-a", "display_name": "Inj" + p},
     "Imię i nazwisko"),
    ("POST", "/api/admin/agents", lambda p: {"username": "inj-b", "display_name": "Inj",
                                             "static_contact": CONTACT + p},
     "Stały adres telefonu"),
    ("PATCH", "/api/admin/agents/inj-base", lambda p: {"display_name": "Baza" + p},
     "Imię i nazwisko"),
    ("PATCH", "/api/admin/agents/inj-base", lambda p: {"static_contact": CONTACT + p},
     "Stały adres telefonu"),
    ("POST", "/api/agents", lambda p: {"username": "inj" + p, "display_name": "Inj"},
     "Login konsultanta"),
    ("POST", "/api/agents", lambda p: {"username": "inj-c", "display_name": "Inj" + p},
     "Imię i nazwisko"),
    ("POST", "/api/agents", lambda p: {"username": "inj-d", "display_name": "Inj",
                                       "static_contact": CONTACT + p},
     "Stały adres telefonu"),
    ("POST", "/api/admin/queues", lambda p: {"name": "inj" + p, "title": "Inj"},
     "Nazwa kolejki"),
    ("POST", "/api/admin/queues", lambda p: {"name": "inj-q", "title": "Inj",
                                             "strategy": "ringall" + p},
     "Strategia kolejki"),
    ("PATCH", "/api/admin/queues/pierwsza-linia", lambda p: {"strategy": "ringall" + p},
     "Strategia kolejki"),
    ("PATCH", "/api/admin/office", lambda p: {"recording_policy": "never" + p},
     "Zasada nagrywania"),
]  # fmt: skip


def _files(etc: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(etc.glob("*.conf"))}


def _endpoints(layout: provision.Layout) -> set[str]:
    out = process.rx(layout, "pjsip show endpoints")
    return set(re.findall(r"^ Endpoint:  ([^ /]+)", out, re.MULTILINE)) - {"<Endpoint"}


def _refusal(pbx: Harness, method: str, path: str, body: dict[str, Any]) -> str:
    try:
        answer = pbx.api(method, path, body)
    except CommandError as exc:
        return str(exc)
    raise AssertionError(f"{method} {path} {body!r} was accepted: {answer}")


def test_injection_payloads_are_refused_and_the_pbx_keeps_its_configuration(
    pbx: Harness,
) -> None:
    layout = provision.locate(pbx.settings)
    etc = layout.host(f"{layout.inst}/etc")
    made = pbx.api("POST", "/api/admin/agents", {
        "username": "inj-base", "display_name": "Baza", "static_contact": CONTACT,
    })  # fmt: skip
    assert made["endpoint"] == "agent-inj-base"
    pbx.wait_for(lambda: "agent-inj-base" in _endpoints(layout), 20, "agent-inj-base live")
    files, endpoints = _files(etc), _endpoints(layout)
    policy = pbx.api("GET", "/api/admin/office")["values"]["recording_policy"]
    for method, path, body, named in FIELDS:
        for kind, payload in PAYLOADS.items():
            sent = body(payload)
            refusal = _refusal(pbx, method, path, sent)
            expected = named
            if "\x00" in payload:  # no JSON text with NUL gets past the body reader
                key = next(k for k, v in sent.items() if payload in v)
                expected = f"Pole „{key}”: tekst zawiera niedozwolone znaki sterujące"
            assert refusal.startswith(f"400: {expected}"), (kind, method, path, refusal)
            assert _files(etc) == files, (kind, method, path)
        process.rx(layout, "module reload res_pjsip.so")
        assert _endpoints(layout) == endpoints, (method, path)
    for command in ("dialplan reload", "module reload app_queue.so"):
        process.rx(layout, command)
    globals_ = process.rx(layout, "dialplan show globals")
    assert f"CIC_POLICY={policy}" in globals_ and "evil" not in globals_
    assert "evil" not in process.rx(layout, "queue show")
    agents = {a["username"]: a for a in pbx.api("GET", "/api/admin/agents")}
    assert not any(name.startswith("inj") and name != "inj-base" for name in agents)
    assert agents["inj-base"]["static_contact"] == CONTACT
    assert agents["inj-base"]["display_name"] == "Baza"
    assert not any(q["name"].startswith("inj") for q in pbx.api("GET", "/api/admin/queues"))

    # a valid change right after is rendered and reloaded
    pbx.api("PATCH", "/api/admin/agents/inj-base", {"static_contact": CONTACT + ";transport=udp"})
    pbx.wait_for(
        lambda: "5999;transport=udp" in process.rx(layout, "pjsip show aor agent-inj-base"),
        20, "the new contact in Asterisk",
    )  # fmt: skip
    assert _files(etc)["pjsip.conf"] != files["pjsip.conf"]
    pbx.api("POST", "/api/admin/agents/inj-base/deactivate", {})
    pbx.wait_for(lambda: _endpoints(layout) == endpoints - {"agent-inj-base"}, 20, "removed")
