"""CSRF and Origin helpers, roles, and escaping of odd input in the pages."""

from __future__ import annotations

import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from cic.auth.csrf import check_origin, check_ws_origin, submitted_csrf_token, tokens_match
from cic.auth.errors import Forbidden, NotSignedIn
from cic.auth.roles import USER_KEY, allowed, require
from cic.auth.sessions import CurrentUser
from cic.auth.templates import env
from cic.auth.views import safe_next

HOST = "urzad.example:8080"
ODD = "<script>alert('x')</script> Zażółć gęślą jaźń 🙂 " + "x" * 5000


def req(method: str = "POST", **headers: str) -> web.Request:
    return make_mocked_request(method, "/api/x", headers={"Host": HOST, **headers})


def user(role: str) -> CurrentUser:
    return CurrentUser(1, "u", "U", role, None)


@pytest.mark.parametrize(
    ("headers", "ok"),
    [
        ({"Origin": f"http://{HOST}"}, True),
        ({"Origin": f"https://{HOST}"}, True),
        ({"Origin": "http://evil.example:8080"}, False),
        ({"Origin": "http://urzad.example:8081"}, False),
        ({"Origin": "null"}, False),
        ({"Referer": f"http://{HOST}/konsola"}, True),
        ({"Referer": "http://evil.example/"}, False),
        ({"Origin": "http://evil.example", "Referer": f"http://{HOST}/"}, False),
        ({}, False),
    ],
)
def test_check_origin(headers: dict[str, str], ok: bool) -> None:
    assert check_origin(req(**headers)) is ok


def test_check_ws_origin_requires_origin() -> None:
    assert check_ws_origin(req("GET", Origin=f"http://{HOST}"))
    assert not check_ws_origin(req("GET", Origin="http://evil.example"))
    assert not check_ws_origin(req("GET", Referer=f"http://{HOST}/"))


async def test_csrf_token_from_header_and_matching() -> None:
    assert await submitted_csrf_token(req(**{"X-CSRF-Token": "abc"})) == "abc"
    assert await submitted_csrf_token(req()) == ""
    assert tokens_match("abc", "abc")
    assert not tokens_match("abc", "abd")
    assert not tokens_match("", "")


def test_role_matrix() -> None:
    assert allowed(user("agent"), ("agent", "specialist"))
    assert not allowed(user("agent"), ("supervisor",))
    assert not allowed(user("specialist"), ("admin",))
    assert allowed(user("admin"), ("supervisor",))
    assert allowed(user("agent"), ())
    with pytest.raises(ValueError, match="unknown roles"):
        require("root")


async def test_require_decorator() -> None:
    @require("supervisor")
    async def view(_request: web.Request) -> web.StreamResponse:
        return web.Response(text="ok")

    anonymous = req("GET")
    with pytest.raises(NotSignedIn):
        await view(anonymous)
    agent = req("GET")
    agent[USER_KEY] = user("agent")
    with pytest.raises(Forbidden) as exc:
        await view(agent)
    assert exc.value.status == 403 and exc.value.error_id == "forbidden"
    boss = req("GET")
    boss[USER_KEY] = user("supervisor")
    assert (await view(boss)).status == 200


def test_odd_input_is_escaped_in_the_pages() -> None:
    odd_user = CurrentUser(1, "anna", ODD, "agent", None)
    page = env.get_template("login.html").render(
        user=odd_user, csrf_token='"><b>', next=ODD, error=ODD, username=ODD
    )
    assert "<script>" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Zażółć gęślą jaźń 🙂" in page
    assert "x" * 5000 in page
    assert 'action="/wylogowanie"' in page and "Wyloguj" in page


@pytest.mark.parametrize(
    ("value", "expected"),
    [("/nadzor", "/nadzor"), ("//evil.example", "/konsola"), ("http://evil", "/konsola"),
     ("/\\evil", "/konsola"), ("/\t/evil.example", "/konsola"), ("/a b", "/konsola"),
     ("/konsola?x=1&y=%2F", "/konsola?x=1&y=%2F"), (None, "/konsola")],
)  # fmt: skip
def test_safe_next(value: object, expected: str) -> None:
    assert safe_next(value, "agent") == expected
