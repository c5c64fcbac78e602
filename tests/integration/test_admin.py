"""Administration over HTTP: who may, what odd input becomes, and the effects on a real Asterisk.

The first tests use the real ``create_app(settings)`` without Asterisk (fast); the last ones run
their own Asterisk instance, controller and SIPp phones, and sign in as an administrator with a
session cookie and CSRF token like a browser.
"""

from __future__ import annotations

import http.cookiejar
import json
import socket
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from aiohttp import web

from cic.asterisk import process, provision
from cic.auth import users
from cic.db import Store, utcnow
from cic.demo.scenarios import ResidentCall
from tests.integration.harness import Harness, free_port, require_tools
from tests.integration.test_access import Client, app, origin, sign_in  # noqa: F401 - fixture
from tests.unit.test_auth_support import FakeClock

AppFixture = tuple[web.Application, Client, FakeClock]
ODD = "<script>alert('x')</script> Zażółć gęślą jaźń ąęłńóśźż 🙂 \"cudzysłów\" & spółka"
LONG = "ż" * 300
ADMIN_PAGES = ("/admin", "/admin/agenci", "/admin/wydzialy", "/admin/kolejki", "/admin/urzad")
ADMIN_APIS = (
    ("GET", "/api/admin/agents"), ("POST", "/api/admin/agents"),
    ("PATCH", "/api/admin/agents/x"), ("POST", "/api/admin/agents/x/deactivate"),
    ("GET", "/api/admin/departments"), ("POST", "/api/admin/departments"),
    ("PATCH", "/api/admin/departments/FN"), ("GET", "/api/admin/queues"),
    ("POST", "/api/admin/queues"), ("PATCH", "/api/admin/queues/x"),
    ("GET", "/api/admin/office"), ("PATCH", "/api/admin/office"), ("GET", "/api/admin/audit"),
)  # fmt: skip


# --- without Asterisk -----------------------------------------------------------------------
async def test_agents_and_supervisors_get_403_on_every_admin_page_and_api(app: AppFixture) -> None:  # noqa: F811
    _, client, _ = app
    for username in ("agentka", "szef"):
        client.session.cookie_jar.clear()
        csrf = await sign_in(client, username)
        headers = {**origin(client), "X-CSRF-Token": csrf}
        for path in ADMIN_PAGES:
            response = await client.get(path, allow_redirects=False)
            assert response.status == 403, (username, path)
        for method, path in ADMIN_APIS:
            body = {"name": "x"} if method != "GET" else None
            response = await client.request(method, path, json=body, headers=headers)
            assert response.status == 403, (username, method, path)
            assert (await response.json())["error"] == "forbidden"
    client.session.cookie_jar.clear()
    await sign_in(client, "root")
    for path in ADMIN_PAGES:
        response = await client.get(path)
        assert response.status == 200, path
        assert "Administracja" in await response.text()
    assert (await client.get("/admin/nie-ma", allow_redirects=False)).status == 404


async def test_csrf_token_required_for_admin_changes(app: AppFixture) -> None:  # noqa: F811
    _, client, _ = app
    csrf = await sign_in(client, "root")
    body = {"code": "FN", "name": "Finanse"}
    refused = await client.post("/api/admin/departments", json=body, headers=origin(client))
    assert refused.status == 403 and (await refused.json())["error"] == "csrf_rejected"
    ok = await client.post(
        "/api/admin/departments", json=body, headers={**origin(client), "X-CSRF-Token": csrf}
    )
    assert ok.status == 201


async def test_odd_input_is_stored_and_shown_escaped(app: AppFixture) -> None:  # noqa: F811
    _, client, _ = app
    csrf = await sign_in(client, "root")
    headers = {**origin(client), "X-CSRF-Token": csrf}

    async def post(path: str, body: Any, status: int) -> Any:
        response = await client.post(path, json=body, headers=headers)
        assert response.status == status, await response.text()
        return await response.json()

    too_long = await post("/api/admin/departments", {"code": "OR", "name": LONG}, 400)
    assert too_long["error"] == "invalid_value" and "200 znaków" in too_long["message"]
    bad_code = await post("/api/admin/departments", {"code": "<b>", "name": "x"}, 400)
    assert "Symbol wydziału" in bad_code["message"]
    dept = await post("/api/admin/departments", {"code": "OŚ", "name": ODD}, 201)
    assert dept["name"] == ODD and dept["code"] == "OŚ"
    queue = await post(
        "/api/admin/queues", {"name": "sprawy-1", "title": ODD, "department": "OŚ"}, 201
    )
    assert queue["title"] == ODD
    agent = await post(
        "/api/admin/agents",
        {"username": "odd", "display_name": ODD, "department": "OŚ",
         "queues": [{"queue": "sprawy-1", "penalty": 5}]},
        201,
    )  # fmt: skip
    assert agent["display_name"] == ODD and agent["queues"] == [{"queue": "sprawy-1", "penalty": 5}]
    await post("/api/admin/agents", {"username": "odd2", "display_name": LONG}, 400)
    await post("/api/admin/agents", {"username": "odd", "display_name": "x"}, 409)
    bad_hours = await client.patch(
        "/api/admin/office", json={"hours": {"mon": ["16:00-08:00"]}}, headers=headers
    )
    assert bad_hours.status == 400
    assert "poniedziałek" in (await bad_hours.json())["message"]
    not_json = await client.patch("/api/admin/office", data="nie json", headers=headers)
    assert not_json.status == 400 and (await not_json.json())["error"] == "invalid_value"
    escaped = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Zażółć gęślą jaźń ąęłńóśźż 🙂"
    for path in ("/admin/agenci", "/admin/wydzialy", "/admin/kolejki"):
        page = await (await client.get(path)).text()
        assert escaped in page, path
        assert "<script>alert" not in page, path
    listed = await (await client.get("/api/admin/agents")).json()
    assert listed[0]["display_name"] == ODD
    audit = await (await client.get("/api/admin/audit")).json()
    actions = {(e["action"], e["actor"]) for e in audit}
    for action in ("department_created", "queue_created", "agent_created"):
        assert (action, "root") in actions


async def test_stored_pause_reasons_reach_the_console(app: AppFixture) -> None:  # noqa: F811
    _, client, _ = app
    csrf = await sign_in(client, "root")
    headers = {**origin(client), "X-CSRF-Token": csrf}
    reasons = ["obiad", "<b>archiwum</b> ż"]
    response = await client.patch(
        "/api/admin/office", json={"pause_reasons": reasons}, headers=headers
    )
    assert response.status == 200, await response.text()
    assert (await response.json())["values"]["pause_reasons"] == reasons
    made = await client.post(
        "/api/admin/agents",
        json={"username": "kasia", "display_name": "Kasia", "create_account": True},
        headers=headers,
    )
    assert made.status == 201, await made.text()
    password = (await made.json())["account"]["initial_password"]
    client.session.cookie_jar.clear()
    signed = await client.post(
        "/logowanie", data={"username": "kasia", "password": password}, headers=origin(client),
        allow_redirects=False,
    )  # fmt: skip
    assert signed.status == 303 and signed.headers["Location"] == "/konsola"
    console = await (await client.get("/konsola")).text()
    assert '<option value="obiad">obiad</option>' in console
    assert "&lt;b&gt;archiwum&lt;/b&gt; ż" in console
    assert ">przerwa</option>" not in console  # the configured default is replaced


# --- a real Asterisk --------------------------------------------------------------------------
class Browser:
    """A signed-in browser session: cookie, Origin and the CSRF token on every change."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.csrf = ""
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def sign_in(self, username: str, password: str) -> None:
        status, body = self.call("POST", "/logowanie", {"username": username, "password": password})
        assert status == 200, body
        self.csrf = body["csrf_token"]

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method)
        req.add_header("Content-Type", "application/json")
        req.add_header("Origin", self.base)
        if self.csrf:
            req.add_header("X-CSRF-Token", self.csrf)
        try:
            with self.opener.open(req, timeout=60) as resp:
                raw, status = resp.read(), resp.status
        except urllib.error.HTTPError as exc:
            raw, status = exc.read(), exc.code
        try:
            return status, json.loads(raw)
        except ValueError:
            return status, raw.decode()


@pytest.fixture(scope="module")
def own_pbx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    """An Asterisk instance and controller of this module alone: hours and policy change here."""
    require_tools()
    h = Harness.create(tmp_path_factory.mktemp("cic-admin"))
    try:
        h.start_controller()

        def seed(db: Any) -> None:
            users.add(db, "root", "Admin", "admin", "haslo-admina-1", now=utcnow())
            users.add(db, "szef", "Szef", "supervisor", "haslo-szefa-12", now=utcnow())

        Store(h.settings.db_url).run_sync(seed)
        yield h
    finally:
        h.close()


@pytest.fixture
def admin(own_pbx: Harness) -> Browser:
    s = own_pbx.settings
    browser = Browser(f"http://{s.web_host}:{s.web_port}")
    browser.sign_in("root", "haslo-admina-1")
    return browser


def _free_sipp_port() -> int:
    """A SIP port whose media ports (+2, +3) are free too: other test sessions share the block."""
    while True:
        port = free_port()
        try:
            for media in (port + 2, port + 3):
                with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                    udp.bind(("127.0.0.1", media))
        except OSError:
            continue
        return port


def _asterisk(h: Harness) -> tuple[provision.Layout, int]:
    layout = provision.locate(h.settings)
    pid = process.running_pid(layout)
    assert pid is not None
    return layout, pid


@pytest.mark.integration
def test_agent_made_by_admin_is_live_in_asterisk_without_restart(
    own_pbx: Harness, admin: Browser
) -> None:
    layout, pid = _asterisk(own_pbx)
    assert "agent-adm-ewa" not in process.rx(layout, "pjsip show endpoints")
    port = _free_sipp_port()
    status, made = admin.call("POST", "/api/admin/agents", {
        "username": "adm-ewa", "display_name": "Ewa Żółkiewska 🙂",
        "static_contact": f"sip:agent-adm-ewa@127.0.0.1:{port}", "create_account": True,
    })  # fmt: skip
    assert status == 201, made
    assert made["account"]["username"] == "adm-ewa" and made["account"]["initial_password"]

    def endpoint_live() -> bool:
        return "Endpoint:  agent-adm-ewa" in process.rx(layout, "pjsip show endpoint agent-adm-ewa")

    own_pbx.wait_for(endpoint_live, 20, "endpoint agent-adm-ewa in Asterisk")
    assert process.running_pid(layout) == pid  # reloaded, not restarted

    from cic.demo.runner import Sipp
    from cic.demo.scenarios import AgentPhone, agent_xml

    phone = Sipp(agent_xml(AgentPhone()), local_port=port, media_port=port + 2, calls=0)
    own_pbx.phones.append(phone.start())
    status, body = admin.call("POST", "/api/agents/adm-ewa/login", {})
    assert status == 200, body
    call = own_pbx.complete_call(ResidentCall(number="48500100300", hangup_after_ms=20_000))
    assert call["outcome"] == "answered", [(e["type"], e.get("data")) for e in call["timeline"]]
    assert call["agent"] == "PJSIP/agent-adm-ewa"

    status, out = admin.call("POST", "/api/admin/agents/adm-ewa/deactivate", {})
    assert status == 200 and out["active"] is False, out
    own_pbx.wait_for(lambda: not endpoint_live(), 20, "endpoint agent-adm-ewa removed")
    assert process.running_pid(layout) == pid


@pytest.mark.integration
def test_policy_and_hours_change_the_next_call_without_restart(
    own_pbx: Harness, admin: Browser
) -> None:
    layout, pid = _asterisk(own_pbx)
    assert "CIC_POLICY=opt-out" in process.rx(layout, "dialplan show globals")
    status, body = admin.call("PATCH", "/api/admin/office", {"recording_policy": "never"})
    assert status == 200 and body["values"]["recording_policy"] == "never", body

    own_pbx.wait_for(
        lambda: "CIC_POLICY=never" in process.rx(layout, "dialplan show globals"),
        20, "dialplan global CIC_POLICY=never",
    )  # fmt: skip
    closed = {day: [] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    status, body = admin.call("PATCH", "/api/admin/office", {"hours": closed})
    assert status == 200, body
    try:
        call = own_pbx.complete_call(ResidentCall(number="48500100301", hangup_after_ms=6_000))
        assert call["routing_action"] == "closed", call
        assert call["routing_reason"] == "closed_hours", call
        assert call["recording_consent"] == "not_asked", call  # the "never" branch ran
    finally:
        status, body = admin.call("PATCH", "/api/admin/office", {"hours": None})
    assert status == 200 and body["values"]["hours"]["mon"] == ["00:00-24:00"]
    assert process.running_pid(layout) == pid


@pytest.mark.integration
def test_supervisor_is_refused_on_the_live_controller(own_pbx: Harness) -> None:
    s = own_pbx.settings
    browser = Browser(f"http://{s.web_host}:{s.web_port}")
    browser.sign_in("szef", "haslo-szefa-12")
    assert browser.call("GET", "/api/admin/agents")[0] == 403
    status, _ = browser.call("POST", "/api/admin/agents", {"username": "x", "display_name": "x"})
    assert status == 403
    assert browser.call("PATCH", "/api/admin/office", {"recording_policy": "always"})[0] == 403
    assert browser.call("GET", "/admin")[0] == 403


@pytest.mark.integration
def test_new_queue_and_membership_are_live_in_asterisk(own_pbx: Harness, admin: Browser) -> None:
    layout, pid = _asterisk(own_pbx)
    status, body = admin.call("POST", "/api/admin/queues", {
        "name": "adm-podatki", "title": "Podatki <i>lokalne</i>", "strategy": "leastrecent",
    })  # fmt: skip
    assert status == 201, body
    own_pbx.wait_for(
        lambda: "'leastrecent' strategy" in process.rx(layout, "queue show adm-podatki"),
        20, "queue adm-podatki in Asterisk",
    )  # fmt: skip
    status, body = admin.call("POST", "/api/admin/agents", {
        "username": "adm-olek", "display_name": "Olek",
        "static_contact": f"sip:agent-adm-olek@127.0.0.1:{_free_sipp_port()}",
    })  # fmt: skip
    assert status == 201, body
    assert admin.call("POST", "/api/agents/adm-olek/login", {})[0] == 200
    status, body = admin.call("PATCH", "/api/admin/agents/adm-olek", {
        "queues": [{"queue": "adm-podatki", "penalty": 3}],
    })  # fmt: skip
    assert status == 200 and body["queues"] == [{"queue": "adm-podatki", "penalty": 3}], body
    own_pbx.wait_for(
        lambda: "agent-adm-olek" in process.rx(layout, "queue show adm-podatki"),
        20, "adm-olek a member of adm-podatki",
    )  # fmt: skip
    assert "agent-adm-olek" not in process.rx(layout, "queue show pierwsza-linia")
    assert "with penalty 3" in process.rx(layout, "queue show adm-podatki")
    status, body = admin.call("PATCH", "/api/admin/queues/adm-podatki", {"strategy": "ringall"})
    assert status == 200, body
    own_pbx.wait_for(
        lambda: "'ringall' strategy" in process.rx(layout, "queue show adm-podatki"),
        20, "strategy ringall in Asterisk",
    )  # fmt: skip
    assert "agent-adm-olek" in process.rx(layout, "queue show adm-podatki")  # kept on reload
    assert process.running_pid(layout) == pid
