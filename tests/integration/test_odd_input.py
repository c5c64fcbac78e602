"""Odd input in every form and text API, over real HTTP against the real controller.

Each text a person types (sign-in username, wrap-up outcome/topic/note, pause reason, an agent's
display name, a console user's display name given to ``cic users add``) is sent as: 300+
characters, HTML with a script, an SQL injection attempt with quotes, Polish diacritics and
emoji. Every value is either stored exactly or refused with a clear error (400 JSON with an
``error`` id and a Polish message; a non-zero exit for the command), never a 500; and every page
that shows it shows it escaped (``&lt;script&gt;``), never as markup.

Not repeated here: ``test_access`` (an odd user name in the page header), ``test_console_access``
(an odd note through the in-process app), ``test_calls`` (odd caller ids), and the e2e console
test (the screen pop's history shows a note with markup as text).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp import ClientSession, ClientTimeout, CookieJar
from markupsafe import escape

from cic.auth import users
from cic.db import Store
from cic.demo.scenarios import ResidentCall
from tests.integration.harness import REPO, Harness

LONG = "Zażółć gęślą jaźń – bardzo długi tekst. " * 8 + "koniec"  # 326 characters
SCRIPT = "<script>alert(1)</script>"
SQL = "\"'; DROP TABLE calls;--"
POLISH = "zażółć gęślą jaźń ZAŻÓŁĆ GĘŚLĄ JAŹŃ"
EMOJI = "Dzień dobry 🙂📞👍🏽 – zgłoszenie"
ODD = {"long": LONG, "script": SCRIPT, "sql": SQL, "polish": POLISH, "emoji": EMOJI}
RAW_MARKUP = "<script>alert"
PASSWORD = "haslo-testowe-123"
CALLER = "48500100777"


class Browser:
    """One signed-in person: a cookie jar and the session's CSRF token, as a browser has."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.http = ClientSession(
            cookie_jar=CookieJar(unsafe=True), timeout=ClientTimeout(total=30)
        )
        self.csrf = ""

    async def sign_in(self, username: str, password: str = PASSWORD) -> None:
        """Sign in through the form and keep the CSRF token of the new session."""
        self.http.cookie_jar.clear()
        async with self.http.post(
            f"{self.base}/logowanie", data={"username": username, "password": password},
            headers={"Origin": self.base}, allow_redirects=False,
        ) as response:  # fmt: skip
            assert response.status == 303, (username, response.status, await response.text())
        async with self.http.get(f"{self.base}/api/auth/me") as response:
            self.csrf = str((await response.json())["csrf_token"])

    async def post(self, path: str, body: Any) -> tuple[int, Any]:
        """POST JSON with Origin and CSRF headers; (status, parsed JSON)."""
        headers = {"Origin": self.base, "X-CSRF-Token": self.csrf}
        async with self.http.post(f"{self.base}{path}", json=body, headers=headers) as response:
            assert response.content_type == "application/json", (path, await response.text())
            return response.status, await response.json()

    async def get_json(self, path: str) -> Any:
        """GET a JSON API (must answer 200)."""
        async with self.http.get(f"{self.base}{path}") as response:
            assert response.status == 200, (path, response.status, await response.text())
            return await response.json()

    async def page(self, path: str) -> str:
        """GET an HTML page (must answer 200) and check it carries no raw script markup."""
        async with self.http.get(f"{self.base}{path}") as response:
            text = await response.text()
            assert response.status == 200, (path, response.status, text[:500])
        assert RAW_MARKUP not in text, f"{path} shows typed markup unescaped"
        return text


def stored_or_refused(status: int, body: Any, value: str, stored: str | None) -> bool:
    """True when stored exactly; asserts that anything else is a clear 400 JSON refusal."""
    if status in (200, 201):
        assert stored == value, (value, stored)
        return True
    assert status == 400, (status, body)
    assert isinstance(body, dict) and body.get("error") and body.get("message"), body
    return False


def seed(h: Harness, *accounts: tuple[str, str, str, str | None]) -> None:
    """Console users ``(username, display name, role, agent)`` in the controller's database."""
    now = datetime.now(UTC)

    def add(db: Any) -> None:
        for username, name, role, agent in accounts:
            users.add(db, username, name, role, PASSWORD, agent_username=agent, now=now)

    store = Store(h.settings.db_url)
    try:
        store.run_sync(add)
    finally:
        store.engine.dispose()


@pytest.fixture
async def base(pbx: Harness) -> AsyncIterator[str]:
    """The controller's address; an admin and a supervisor exist once."""
    existing = {u["username"] for u in cli(pbx, "users", "list")[1]}
    if "odd-admin" not in existing:
        seed(pbx, ("odd-admin", "Admin Testowy", "admin", None),
             ("odd-boss", "Kierownik Testowy", "supervisor", None))  # fmt: skip
    yield f"http://127.0.0.1:{pbx.settings.web_port}"


def cli(h: Harness, *args: str) -> tuple[subprocess.CompletedProcess[str], Any]:
    """Run ``cic ARGS`` against the harness' state; (process, parsed JSON output or None)."""
    done = subprocess.run(
        [sys.executable, "-m", "cic.cli", *args], env={**os.environ, **h.env}, cwd=REPO,
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    start = done.stdout.find("{") if args[:2] == ("users", "add") else done.stdout.find("[")
    parsed = json.loads(done.stdout[start:]) if done.returncode == 0 and start >= 0 else None
    return done, parsed


async def test_sign_in_with_odd_usernames_refused_and_echoed_escaped(
    pbx: Harness, base: str
) -> None:
    """A wrong odd username: 401 page showing it escaped in the form, or a JSON error."""
    browser = Browser(base)
    try:
        for label, value in ODD.items():
            browser.http.cookie_jar.clear()  # signed out: the form needs no CSRF token
            async with browser.http.post(
                f"{base}/logowanie", data={"username": value, "password": "zle-haslo"},
                headers={"Origin": base}, allow_redirects=False,
            ) as response:  # fmt: skip
                page = await response.text()
                assert response.status == 401, (label, response.status, page[:300])
            assert RAW_MARKUP not in page, label
            assert str(escape(value)) in page, f"{label}: the typed login not shown escaped"
            async with browser.http.post(
                f"{base}/logowanie", json={"username": value, "password": "zle-haslo"},
                headers={"Origin": base}, allow_redirects=False,
            ) as response:  # fmt: skip
                assert response.status == 401, (label, response.status)
                assert (await response.json())["error"] == "invalid_credentials"
            # A good sign-in ends the run of failures from this address (no back-off builds up).
            await browser.sign_in("odd-boss")
    finally:
        await browser.http.close()


async def test_agent_display_names_stored_exactly_and_shown_escaped(
    pbx: Harness, base: str
) -> None:
    """Admin creates agents with odd names; login puts them in the queue; pages escape them."""
    admin, boss = Browser(base), Browser(base)
    try:
        await admin.sign_in("odd-admin")
        await boss.sign_in("odd-boss")
        created: dict[str, str] = {}
        for label, value in ODD.items():
            username = f"odd-name-{label}"
            status, body = await admin.post(
                "/api/agents", {"username": username, "display_name": value}
            )
            stored = body.get("display_name") if isinstance(body, dict) else None
            if stored_or_refused(status, body, value, stored):
                again = await admin.get_json(f"/api/agents/{username}")
                assert again["display_name"] == value, (label, again)
                created[username] = value
        assert set(created.values()) >= {SCRIPT, POLISH, EMOJI}, created
        # An agent's name goes into Asterisk (queue member, caller ID): ';' starts a comment
        # in its files, so that name is refused, naming the field and the rule.
        assert "odd-name-sql" not in created
        status, body = await admin.post(
            "/api/agents", {"username": "odd-name-sql", "display_name": SQL}
        )
        assert status == 400 and body["message"].startswith("Imię i nazwisko"), body
        # An odd login name is refused, never stored.
        for value in (SCRIPT, SQL, POLISH, "x" * 300):
            status, body = await admin.post(
                "/api/agents", {"username": value, "display_name": "Ktoś"}
            )
            assert status == 400 and body["error"], (value, status, body)
        listed = {a["username"] for a in await admin.get_json("/api/agents")}
        assert not listed & {SCRIPT, SQL, POLISH, "x" * 300}

        # Logged in (the name goes to Asterisk as the queue member name) and on the wallboard.
        for username in created:
            status, body = await boss.post(f"/api/agents/{username}/login", {})
            assert status == 200, (username, status, body)
        board = await boss.get_json("/api/wallboard")
        shown = {a["username"]: a["display_name"] for a in board["agents"]}
        for username, value in created.items():
            assert shown.get(username) == value, (username, shown.get(username))
        status_page = await boss.page("/")
        for value in created.values():
            assert str(escape(value)) in status_page, value
        await boss.page("/nadzor")
        await admin.page("/admin")
        await admin.page("/nadzor")
        async with admin.http.get(f"{base}/admin/agents") as response:  # the admin's agent list
            listing = await response.text() if response.status == 200 else ""
        assert RAW_MARKUP not in listing
        if listing:
            for value in created.values():
                assert str(escape(value)) in listing, f"/admin/agents: {value!r} not escaped"
    finally:
        for username in created:
            await boss.post(f"/api/agents/{username}/logout", {})
        await admin.http.close()
        await boss.http.close()


async def test_console_user_display_names_via_cli(pbx: Harness, base: str) -> None:
    """``cic users add`` stores an odd name exactly (or refuses it); pages show it escaped."""
    browser = Browser(base)
    try:
        for label, value in ODD.items():
            username = f"odd-user-{label}"
            done, user = cli(pbx, "users", "add", username, value, "--role", "supervisor")
            assert "Traceback" not in done.stderr, done.stderr
            if done.returncode != 0:
                assert label == "long", (label, done.stderr)
                assert "od 1 do 200 znaków" in done.stderr, done.stderr
                continue
            assert user["display_name"] == value, (label, user)
            password = re.search(r"\(pokazywane tylko raz\): (\S+)", done.stdout)
            assert password, done.stdout
            await browser.sign_in(username, password.group(1))
            me = await browser.get_json("/api/auth/me")
            assert me["display_name"] == value, (label, me)
            for path in ("/nadzor", "/konsola", "/"):
                page = await browser.page(path)
                assert str(escape(value)) in page, f"{label}: name not shown escaped on {path}"
        listed = {u["username"]: u for u in cli(pbx, "users", "list")[1]}
        assert "odd-user-long" not in listed
        assert listed["odd-user-script"]["display_name"] == SCRIPT
    finally:
        await browser.http.close()


async def test_wrapup_and_pause_reason_odd_text_on_a_real_call(pbx: Harness, base: str) -> None:
    """Wrap-up of a real answered call, pause reasons, and the screen pop of the next call."""
    agent = "odd-wrapup"
    pbx.login(agent)
    seed(pbx, ("odd-konsultant", "Konsultant Testowy", "agent", agent))
    pbx.wait_for(lambda: pbx.api("GET", f"/api/agents/{agent}")["state"] == "available", 20,
                 "the SIPp agent available")  # fmt: skip
    call = pbx.complete_call(
        ResidentCall(number=CALLER, hangup_after_ms=17_000),
        lambda c: c["outcome"] == "answered" and bool(c["ended_at"]),
    )
    assert call["agent"] == f"PJSIP/agent-{agent}", call
    path = f"/api/calls/{call['call_id']}/wrapup"
    outcome = pbx.settings.office.wrapup_outcomes[0]
    browser = Browser(base)
    try:
        await browser.sign_in("odd-konsultant")
        for label, value in ODD.items():
            # The outcome comes from the office's list: anything else is refused.
            status, body = await browser.post(path, {"outcome": value, "topic": "t", "note": "n"})
            assert status == 400 and body["error"] == "invalid_query", (label, status, body)
            status, body = await browser.post(path, {"outcome": outcome, "topic": value,
                                                     "note": value})  # fmt: skip
            if stored_or_refused(status, body, value, body.get("topic")):
                assert body["note"] == value, (label, body)
            else:
                assert label == "long" and "200" in body["message"], (label, body)
                status, body = await browser.post(path, {"outcome": outcome, "topic": "długi",
                                                         "note": value})  # fmt: skip
                assert status == 201 and body["note"] == value, (label, body)
            [saved] = await browser.get_json(f"/api/calls/{call['call_id']}/wrapups")
            assert saved["note"] == value, (label, saved)
        for wrong in ({"outcome": outcome, "topic": 1, "note": ""}, ["nie", "obiekt"],
                      {"outcome": outcome, "topic": "", "note": "x" * 4001}):  # fmt: skip
            status, body = await browser.post(path, wrong)
            assert status == 400 and body["error"], (wrong, status, body)
        final = {"outcome": outcome, "topic": SCRIPT, "note": " | ".join(ODD.values())}
        status, body = await browser.post(path, final)
        assert status == 201 and (body["topic"], body["note"]) == (final["topic"], final["note"])

        # Pause reasons come from the office's list too: odd ones are refused, nothing changes.
        for label, value in ODD.items():
            status, body = await browser.post(f"/api/agents/{agent}/pause", {"reason": value})
            assert status == 400 and body["error"] == "invalid_agent_request", (label, body)
        assert pbx.api("GET", f"/api/agents/{agent}")["state"] != "paused"
        await browser.page("/konsola")

        # The next call from the same resident: the screen pop carries the wrap-up exactly
        # (the console puts it in with textContent; the e2e console test checks the page).
        pbx.wait_for(lambda: pbx.api("GET", f"/api/agents/{agent}")["state"] == "available", 20,
                     "the agent available after wrap-up time")  # fmt: skip
        async with browser.http.ws_connect(f"{base}/ws/agent", headers={"Origin": base}) as ws:
            before = pbx.call_ids()
            resident = pbx.call(ResidentCall(number=CALLER, hangup_after_ms=17_000))
            pop: dict[str, Any] = {}
            while not pop:
                message = await ws.receive_json(timeout=40)
                if message.get("type") == "ScreenPop":
                    pop = message
            assert resident.wait(60) == 0, resident.errors()
        pbx.wait_call(before, lambda c: bool(c["ended_at"]))
        earlier = [h for h in pop["history"] if h["call_id"] == call["call_id"]]
        assert earlier and earlier[0]["wrapup"]["topic"] == SCRIPT, pop
        assert earlier[0]["wrapup"]["note"] == final["note"], pop
    finally:
        await browser.http.close()
