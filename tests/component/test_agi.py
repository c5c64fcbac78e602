"""The FastAGI server, driven by a small client that speaks AGI the way Asterisk does."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from cic.asterisk.agi import AgiServer, quote_arg
from cic.asterisk.decisions import Decision, RouteRequest
from cic.config import Settings
from cic.routing.handlers import create_agi_server

SECRET = "sekret-instalacji"
QUEUE = Decision("queue", "pierwsza-linia", "pierwsza-linia", 0, "first_line", "Nowy rozmówca.")
ODD_CALLER_IDS = [
    "O'Brien",
    "$(reboot)",
    "'; DROP TABLE calls;--",
    "<script>alert(1)</script>",
    "9" * 300,
    "",
    '"Kowalski, Jan" <100>',
    "back\\slash: colon",
    "Zażółć gęślą jaźń",
]


def asterisk_parse_args(line: str) -> list[str]:
    """res_agi.c parse_args(), ported: how Asterisk splits an AGI command into arguments."""
    args: list[str] = []
    cur: list[str] | None = None
    quoted = escaped = False
    for ch in line:
        if ch == '"' and not escaped:
            quoted = not quoted
            if quoted and cur is None:
                cur = []
                args.append("")
            continue
        if ch in " \t" and not quoted and not escaped:
            if cur is not None:
                args[-1] = "".join(cur)
            cur = None
            continue
        if ch == "\\" and not escaped:
            escaped = True
            continue
        if cur is None:
            cur = []
            args.append("")
        cur.append(ch)
        escaped = False
    if cur is not None:
        args[-1] = "".join(cur)
    return args


@dataclass
class Session:
    """What the fake Asterisk saw in one FastAGI conversation."""

    commands: list[str] = field(default_factory=list)
    variables: dict[str, str] = field(default_factory=dict)
    closed_by_server: bool = False

    def set_commands(self) -> list[str]:
        return [c for c in self.commands if c.startswith("SET VARIABLE")]


def agi_env(port: int, **overrides: str) -> dict[str, str]:
    env = {
        "agi_network": "yes",
        "agi_network_script": f"{SECRET}/route",
        "agi_request": f"agi://127.0.0.1:{port}/{SECRET}/route",
        "agi_channel": "PJSIP/trunk-00000001",
        "agi_language": "pl",
        "agi_type": "PJSIP",
        "agi_uniqueid": "1764496800.1",
        "agi_version": "22.1.0",
        "agi_callerid": "+48600100200",
        "agi_calleridname": "Jan Kowalski",
        "agi_callingpres": "0",
        "agi_callingani2": "0",
        "agi_callington": "0",
        "agi_callingtns": "0",
        "agi_dnid": "+48820000000",
        "agi_rdnis": "unknown",
        "agi_context": "cic-inbound",
        "agi_extension": "s",
        "agi_priority": "7",
        "agi_enhanced": "0.0",
        "agi_accountcode": "",
        "agi_threadid": "140000000000000",
    }
    env.update(overrides)
    return env


async def fake_asterisk(
    port: int,
    env: dict[str, str],
    channel_vars: dict[str, str] | None = None,
    *,
    reply: Callable[[str], str | None] | None = None,
) -> Session:
    """Connect, send the environment, answer each command; return when the server closes.

    ``reply`` may override the answer to a command; returning ``None`` disconnects instead.
    """
    channel_vars = dict(channel_vars or {})
    session = Session()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        head = "".join(f"{k}: {v}\n" for k, v in env.items()) + "\n"
        writer.write(head.encode("utf-8"))
        await writer.drain()
        while True:
            raw = await asyncio.wait_for(reader.readline(), 5)
            if not raw:
                session.closed_by_server = True
                return session
            command = raw.decode("utf-8").rstrip("\n")
            session.commands.append(command)
            answer = reply(command) if reply else ""
            if answer is None:
                return session
            if not answer:
                answer = answer_like_asterisk(asterisk_parse_args(command), channel_vars)
            session.variables.update(channel_vars)
            writer.write(answer.encode("utf-8") + b"\n")
            await writer.drain()
    finally:
        writer.close()
        await writer.wait_closed()


def answer_like_asterisk(argv: list[str], channel_vars: dict[str, str]) -> str:
    if argv[:2] == ["GET", "VARIABLE"] and len(argv) == 3:
        value = channel_vars.get(argv[2])
        return "200 result=0" if value is None else f"200 result=1 ({value})"
    if argv[:2] == ["SET", "VARIABLE"] and len(argv) == 4:
        channel_vars[argv[2]] = argv[3]
        return "200 result=1"
    return "510 Invalid or unknown command"


class FakeRouter:
    def __init__(self, decision: Decision = QUEUE) -> None:
        self.decision = decision
        self.requests: list[RouteRequest] = []
        self.error: Exception | None = None
        self.delay = 0.0

    async def route(self, req: RouteRequest) -> Decision:
        self.requests.append(req)
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.error is not None:
            raise self.error
        return self.decision


@pytest.fixture
def router() -> FakeRouter:
    return FakeRouter()


@pytest.fixture
async def server(router: FakeRouter) -> AsyncIterator[AgiServer]:
    srv = AgiServer(router, "127.0.0.1", 0, secret=SECRET, route_timeout=0.5, header_timeout=1.0)
    await srv.start()
    yield srv
    await srv.stop()


CALL_VARS = {"CIC_CALLID": "1764496800.0", "CIC_DIALLED": "+48820000000"}


async def test_sets_exact_variables_in_order(server: AgiServer, router: FakeRouter) -> None:
    session = await fake_asterisk(server.port, agi_env(server.port), CALL_VARS)
    assert session.commands == [
        "GET VARIABLE CIC_CALLID",
        "GET VARIABLE CIC_DIALLED",
        'SET VARIABLE CIC_TARGET "pierwsza-linia"',
        'SET VARIABLE CIC_QUEUE "pierwsza-linia"',
        'SET VARIABLE CIC_AGENT_WAIT "0"',
        'SET VARIABLE CIC_REASON "first_line"',
        'SET VARIABLE CIC_ACTION "queue"',
    ]
    assert session.closed_by_server
    assert router.requests == [
        RouteRequest(
            "1764496800.0", "+48600100200", "Jan Kowalski", "+48820000000", "PJSIP/trunk-00000001"
        )
    ]


async def test_agent_decision_values(server: AgiServer, router: FakeRouter) -> None:
    router.decision = Decision(
        "agent", "PJSIP/agent-anna", "pierwsza-linia", 15, "returning_caller:PJSIP/agent-anna", ""
    )
    session = await fake_asterisk(server.port, agi_env(server.port), CALL_VARS)
    assert session.variables == {
        **CALL_VARS,
        "CIC_TARGET": "PJSIP/agent-anna",
        "CIC_QUEUE": "pierwsza-linia",
        "CIC_AGENT_WAIT": "15",
        "CIC_REASON": "returning_caller:PJSIP/agent-anna",
        "CIC_ACTION": "agent",
    }


async def test_values_with_spaces_quotes_and_polish_letters_arrive_intact(
    server: AgiServer, router: FakeRouter
) -> None:
    router.decision = Decision(
        "closed",
        "",
        'kolejka "B" \\ 2',
        0,
        "closed_holiday:Boże Narodzenie (pierwszy dzień)",
        "Urząd nieczynny.",
    )
    session = await fake_asterisk(server.port, agi_env(server.port), CALL_VARS)
    assert session.variables["CIC_REASON"] == "closed_holiday:Boże Narodzenie (pierwszy dzień)"
    assert session.variables["CIC_QUEUE"] == 'kolejka "B" \\ 2'
    assert session.variables["CIC_TARGET"] == ""
    assert session.variables["CIC_ACTION"] == "closed"
    assert 'SET VARIABLE CIC_QUEUE "kolejka \\"B\\" \\\\ 2"' in session.commands


@pytest.mark.parametrize(
    "value",
    ["", "plain", "two words", 'say "hi"', "back\\slash", "trailing\\", "ąęłńóśźż"],
)
def test_quote_arg_round_trips_through_asterisk_parsing(value: str) -> None:
    assert asterisk_parse_args(f"SET VARIABLE X {quote_arg(value)}") == [
        "SET",
        "VARIABLE",
        "X",
        value,
    ]


def test_quote_arg_keeps_the_command_on_one_line() -> None:
    quoted = quote_arg("a\nb\r\x00c\td")
    assert "\n" not in quoted and "\r" not in quoted and "\x00" not in quoted
    assert asterisk_parse_args(f"SET VARIABLE X {quoted}")[3] == "a b  c d"


@pytest.mark.parametrize("odd", ODD_CALLER_IDS)
async def test_odd_caller_ids_reach_the_router_verbatim(
    server: AgiServer, router: FakeRouter, odd: str
) -> None:
    env = agi_env(server.port, agi_callerid=odd, agi_calleridname=odd)
    session = await fake_asterisk(server.port, env, CALL_VARS)
    assert router.requests[0].caller_number == odd
    assert router.requests[0].caller_name == odd
    assert session.variables["CIC_ACTION"] == "queue"


async def test_unknown_caller_id_becomes_empty(server: AgiServer, router: FakeRouter) -> None:
    env = agi_env(server.port, agi_callerid="unknown", agi_calleridname="unknown")
    await fake_asterisk(server.port, env, CALL_VARS)
    env = agi_env(server.port, agi_callerid="Unknown", agi_calleridname="unknown caller")
    await fake_asterisk(server.port, env, CALL_VARS)
    assert [(r.caller_number, r.caller_name) for r in router.requests] == [
        ("", ""),
        ("Unknown", "unknown caller"),
    ]


async def test_unset_channel_variables_fall_back_to_agi_env(
    server: AgiServer, router: FakeRouter
) -> None:
    await fake_asterisk(server.port, agi_env(server.port, agi_extension="+48820000001"), {})
    req = router.requests[0]
    assert (req.call_id, req.dialled) == ("1764496800.1", "+48820000001")


async def test_router_error_sets_no_action_and_is_logged(
    server: AgiServer, router: FakeRouter, caplog: pytest.LogCaptureFixture
) -> None:
    router.error = RuntimeError("boom")
    session = await fake_asterisk(server.port, agi_env(server.port), CALL_VARS)
    assert session.set_commands() == []
    assert session.closed_by_server
    failure = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert failure and "1764496800.0" in failure[0].getMessage()
    assert failure[0].exc_info is not None and "boom" in caplog.text
    assert server.latencies() == []


async def test_slow_router_sets_no_action(
    server: AgiServer, router: FakeRouter, caplog: pytest.LogCaptureFixture
) -> None:
    router.delay = 5.0
    session = await fake_asterisk(server.port, agi_env(server.port), CALL_VARS)
    assert session.set_commands() == []
    assert session.closed_by_server
    assert "routing failed" in caplog.text


async def wait_for_log(caplog: pytest.LogCaptureFixture, text: str) -> None:
    for _ in range(200):
        if text in caplog.text:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{text!r} not logged")


async def serve_next_call(server: AgiServer) -> None:
    session = await fake_asterisk(server.port, agi_env(server.port), CALL_VARS)
    assert session.variables["CIC_ACTION"] == "queue"


async def raw_client(port: int, data: bytes, *, wait_for_close: bool = True) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(data)
    await writer.drain()
    received = b""
    if wait_for_close:
        received = await asyncio.wait_for(reader.read(), 5)
    writer.close()
    await writer.wait_closed()
    return received


async def test_garbage_is_logged_and_the_server_keeps_serving(
    server: AgiServer, caplog: pytest.LogCaptureFixture
) -> None:
    assert await raw_client(server.port, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n") == b""
    assert "refused a request without the secret" in caplog.text
    await raw_client(server.port, b"\xff\xfe\x00garbage: \xc3\x28\n\n")
    await serve_next_call(server)


async def test_disconnect_inside_the_headers(
    server: AgiServer, caplog: pytest.LogCaptureFixture
) -> None:
    # panoramisk's stock handler spins forever (and blocks the loop) on this one
    await raw_client(server.port, b"agi_network: yes\nagi_network_scr", wait_for_close=False)
    await wait_for_log(caplog, "connection closed before the end of the AGI environment")
    await serve_next_call(server)


async def test_client_that_never_finishes_headers_times_out(
    server: AgiServer, caplog: pytest.LogCaptureFixture
) -> None:
    assert await raw_client(server.port, b"agi_network: yes\n") == b""
    assert "TimeoutError" in caplog.text
    await serve_next_call(server)


@pytest.mark.parametrize("drop_at", ["GET VARIABLE CIC_CALLID", "SET VARIABLE CIC_QUEUE"])
async def test_disconnect_mid_conversation(
    server: AgiServer, caplog: pytest.LogCaptureFixture, drop_at: str
) -> None:
    def drop(command: str) -> str | None:
        return None if command.startswith(drop_at) else ""

    session = await fake_asterisk(server.port, agi_env(server.port), CALL_VARS, reply=drop)
    assert "CIC_ACTION" not in session.variables
    await wait_for_log(caplog, "connection closed")
    await serve_next_call(server)


async def test_hangup_stops_the_conversation(
    server: AgiServer, caplog: pytest.LogCaptureFixture
) -> None:
    def hangup(command: str) -> str:
        return "HANGUP" if "CIC_TARGET" in command else ""

    session = await fake_asterisk(server.port, agi_env(server.port), CALL_VARS, reply=hangup)
    assert session.closed_by_server
    assert session.set_commands() == ['SET VARIABLE CIC_TARGET "pierwsza-linia"']
    assert "hung up" in caplog.text


async def test_trying_then_result(server: AgiServer) -> None:
    def trying(command: str) -> str:
        return "100 result=0 Trying...\n200 result=0" if command.startswith("GET") else ""

    session = await fake_asterisk(server.port, agi_env(server.port), CALL_VARS, reply=trying)
    assert session.variables["CIC_ACTION"] == "queue"


async def test_error_reply_is_logged(server: AgiServer, caplog: pytest.LogCaptureFixture) -> None:
    def dead(command: str) -> str:
        return "511 Command Not Permitted on a dead channel" if "SET" in command else ""

    session = await fake_asterisk(server.port, agi_env(server.port), CALL_VARS, reply=dead)
    assert len(session.set_commands()) == 1
    assert "511" in caplog.text


async def test_unknown_script_is_logged(
    server: AgiServer, router: FakeRouter, caplog: pytest.LogCaptureFixture
) -> None:
    env = agi_env(server.port, agi_network_script=f"{SECRET}/nope")
    session = await fake_asterisk(server.port, env, CALL_VARS)
    assert (session.commands, router.requests) == ([], [])
    assert "no route for script 'nope'" in caplog.text


async def test_concurrent_calls(server: AgiServer, router: FakeRouter) -> None:
    router.delay = 0.05
    calls = [
        fake_asterisk(server.port, agi_env(server.port, agi_uniqueid=str(i)), {}) for i in range(20)
    ]
    sessions = await asyncio.gather(*calls)
    assert all(s.variables["CIC_ACTION"] == "queue" for s in sessions)
    assert sorted(r.call_id for r in router.requests) == sorted(str(i) for i in range(20))


async def test_latencies_ring_buffer(router: FakeRouter) -> None:
    srv = AgiServer(router, "127.0.0.1", 0, secret=SECRET, latency_samples=2)
    await srv.start()
    try:
        for _ in range(3):
            await fake_asterisk(srv.port, agi_env(srv.port), CALL_VARS)
        latencies = srv.latencies()
        assert len(latencies) == 2 and all(x >= 0 for x in latencies)
    finally:
        await srv.stop()


async def test_stop_ends_idle_connections(router: FakeRouter) -> None:
    srv = AgiServer(router, "127.0.0.1", 0, secret=SECRET, header_timeout=60)
    await srv.start()
    reader, writer = await asyncio.open_connection("127.0.0.1", srv.port)
    writer.write(b"agi_network: yes\n")
    await writer.drain()
    await asyncio.sleep(0.05)
    await asyncio.wait_for(srv.stop(grace=0.1), 5)
    assert await asyncio.wait_for(reader.read(), 5) == b""
    writer.close()
    await srv.stop()  # idempotent


class FakeHistory:
    async def last_agent(self, caller_number: str, since: datetime) -> str | None:
        return "PJSIP/agent-anna" if caller_number == "+48600100200" else None


class FakePresence:
    def is_available(self, interface: str) -> bool:
        return True


async def test_create_agi_server_wires_the_routing_service() -> None:
    settings = Settings()
    settings.asterisk.agi_port = 0

    def monday() -> datetime:
        return datetime(2026, 11, 30, 10, tzinfo=ZoneInfo("UTC"))

    srv = create_agi_server(settings, FakeHistory(), FakePresence(), monday, secret=SECRET)
    await srv.start()
    try:
        session = await fake_asterisk(srv.port, agi_env(srv.port), CALL_VARS)
    finally:
        await srv.stop()
    assert session.variables["CIC_ACTION"] == "agent"
    assert session.variables["CIC_REASON"] == "returning_caller:PJSIP/agent-anna"
    assert session.variables["CIC_AGENT_WAIT"] == "15"


@pytest.mark.parametrize(
    "script",
    ["route", "/route", f"{SECRET}x/route", f"{SECRET[:-1]}/route", f"wrong/{SECRET}/route",
     f"{SECRET.upper()}/route", "", "ż/route"],
)  # fmt: skip
async def test_requests_without_the_secret_run_nothing(
    server: AgiServer, router: FakeRouter, caplog: pytest.LogCaptureFixture, script: str
) -> None:
    env = agi_env(server.port, agi_network_script=script)
    session = await fake_asterisk(server.port, env, CALL_VARS)
    assert session.commands == [] and session.closed_by_server
    assert router.requests == []
    assert "refused a request without the secret" in caplog.text
    for personal in ("+48600100200", "Jan Kowalski", SECRET):
        assert personal not in caplog.text
    await serve_next_call(server)  # the real dialplan's requests still route


def test_the_secret_is_required() -> None:
    for secret in ("", "a/b"):
        with pytest.raises(ValueError, match="secret"):
            AgiServer(FakeRouter(), "127.0.0.1", 0, secret=secret)


async def test_observers_hear_every_request_with_its_result(router: FakeRouter) -> None:
    """What the metrics count: routed, the router failing, a caller gone, no secret."""
    seen: list[tuple[str, str, float]] = []
    srv = AgiServer(router, "127.0.0.1", 0, secret=SECRET, route_timeout=0.5, header_timeout=1.0)
    srv.add_observer(lambda script, result, seconds: seen.append((script, result, seconds)))
    srv.add_observer(lambda *_: 1 / 0)  # a broken observer does not touch the call
    await srv.start()
    try:
        await serve_next_call(srv)
        router.error = RuntimeError("boom")
        await fake_asterisk(srv.port, agi_env(srv.port), CALL_VARS)
        router.error = None
        await fake_asterisk(srv.port, agi_env(srv.port), CALL_VARS, reply=lambda _c: None)
        await fake_asterisk(srv.port, agi_env(srv.port, agi_network_script="route"), CALL_VARS)
        for _ in range(200):
            if len(seen) == 4:
                break
            await asyncio.sleep(0.01)
        assert [(s, r) for s, r, _ in seen] == [
            ("route", "routed"), ("route", "route_failed"), ("route", "ended_early"),
            ("", "refused"),
        ]  # fmt: skip
        assert all(0 <= seconds < 5 for _, _, seconds in seen)
        assert srv.listening
    finally:
        await srv.stop()
    assert not srv.listening
