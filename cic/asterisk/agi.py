"""The FastAGI server: the dialplan runs ``AGI(agi://127.0.0.1:4573/<secret>/route)`` for each
call.

Every request must carry the per-install secret (``Credentials.agi_secret``) as the first part
of the script's path; a request without it (any local process can connect to the port) is
refused before any script runs, and logged without its headers (they hold the caller's number).

For script ``route`` the server reads the AGI environment and the channel variables
``CIC_CALLID`` and ``CIC_DIALLED``, asks the router, and sets on the channel:

- ``CIC_TARGET``     queue name, agent interface, or empty (closed);
- ``CIC_QUEUE``      the first-line queue to fall to after an agent attempt;
- ``CIC_AGENT_WAIT`` seconds to ring the agent (0 unless the action is ``agent``);
- ``CIC_REASON``     stable reason code, e.g. ``returning_caller:PJSIP/agent-anna``;
- ``CIC_ACTION``     ``queue`` | ``agent`` | ``closed`` -- set LAST, so it only exists when
  every other variable was set. No ``CIC_ACTION`` means: fall back to the first-line queue.

panoramisk's ``Application`` keeps the route table, but its connection handler is replaced:
the stock one spins forever on a client that closes before the blank line ending the
headers (``read()`` returns ``b''`` without yielding), and its ``Request.send_command``
raises a bare ``ValueError`` on EOF and reads a variable whose value is ``hangup`` as a
hang-up. Commands are therefore exchanged by :class:`AgiChannel`.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import hmac
import logging
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol

from panoramisk.fast_agi import Application, Request

from cic.asterisk import dialplan
from cic.asterisk.decisions import Decision, RouteRequest
from cic.latency import Samples

log = logging.getLogger(__name__)

SCRIPT = "route"
MAX_HEADER_LINES = 200
MAX_VALUE_CHARS = 512
_GET_RESULT = re.compile(r"result=(-?\d+)(?: \((.*)\))?", re.DOTALL)


class Router(Protocol):
    """Anything that decides where a call goes (``RoutingService`` is one)."""

    async def route(self, req: RouteRequest) -> Decision:
        """The decision for ``req``."""
        ...


ScriptHandler = Callable[["AgiChannel", Mapping[str, str]], Awaitable[None]]
"""Another FastAGI script: gets the channel to talk on and the AGI environment."""

RequestObserver = Callable[[str, str, float], None]
"""Told of every FastAGI request when its connection closes: the script (``''`` when none was
authorised), the result and the seconds from connection to close. Results: ``routed``,
``route_failed`` (the router failed or overran: the dialplan falls back), ``ended_early``
(hang-up or closed mid-conversation), ``ok`` (another script finished), ``refused`` (no
secret), ``unknown_script``, ``bad_connection`` (no valid AGI environment), ``error``."""


class AgiError(Exception):
    """The AGI conversation cannot go on: connection closed, hang-up or an error reply."""


def quote_arg(value: str) -> str:
    """Quote ``value`` as one argument of an AGI command line, as Asterisk parses it.

    Asterisk splits commands on blanks outside double quotes and takes the character after
    a backslash literally; line breaks and other control characters become spaces (they
    would end the command) and values are cut at ``MAX_VALUE_CHARS``.
    """
    cleaned = "".join(" " if ord(ch) < 32 or ch == "\x7f" else ch for ch in value)
    escaped = cleaned[:MAX_VALUE_CHARS].replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def decision_variables(decision: Decision) -> list[tuple[str, str]]:
    """The channel variables for ``decision``, in the order they are set (CIC_ACTION last)."""
    return [
        (dialplan.TARGET, decision.target),
        (dialplan.QUEUE, decision.queue),
        (dialplan.AGENT_WAIT, str(decision.agent_wait)),
        (dialplan.REASON, decision.reason),
        (dialplan.ACTION, decision.action),
    ]


def caller_field(value: str | None) -> str:
    """Asterisk sends ``unknown`` for a missing caller number or name; that becomes ``''``."""
    return "" if value is None or value == "unknown" else value


class AgiChannel:
    """Sends AGI commands on one connection and reads Asterisk's replies."""

    def __init__(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, timeout: float
    ) -> None:
        """Wrap the connection; ``timeout`` bounds the wait for each reply."""
        self._reader = reader
        self._writer = writer
        self._timeout = timeout

    async def command(self, command: str) -> str:
        """Send ``command``; return the text after ``200 `` or raise :class:`AgiError`."""
        self._writer.write(command.encode("utf-8") + b"\n")
        await self._writer.drain()
        while True:
            raw = await asyncio.wait_for(_readline(self._reader), self._timeout)
            if not raw.endswith(b"\n"):
                raise AgiError("connection closed")
            line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
            code, _, rest = line.partition(" ")
            if code == "100":  # "100 result=0 Trying..."; the real reply follows
                continue
            if code == "200":
                return rest
            if line == "HANGUP":
                raise AgiError("the caller hung up")
            raise AgiError(f"Asterisk answered {line[:200]!r}")

    async def get_variable(self, name: str) -> str | None:
        """The channel variable's value, or ``None`` when it is not set."""
        rest = await self.command(f"GET VARIABLE {name}")
        match = _GET_RESULT.fullmatch(rest)
        if match is None:
            raise AgiError(f"unexpected GET VARIABLE reply {rest[:200]!r}")
        return (match.group(2) or "") if match.group(1) == "1" else None

    async def set_variable(self, name: str, value: str) -> None:
        """Set a channel variable; ``value`` arrives verbatim (see :func:`quote_arg`)."""
        rest = await self.command(f"SET VARIABLE {name} {quote_arg(value)}")
        if not rest.startswith("result=1"):
            raise AgiError(f"SET VARIABLE {name} answered {rest[:200]!r}")


async def _readline(reader: asyncio.StreamReader) -> bytes:
    try:
        return await reader.readline()
    except ValueError:  # the stream's line limit (64 KiB) was exceeded
        raise AgiError("line too long") from None


async def read_headers(reader: asyncio.StreamReader) -> dict[str, str]:
    """Read the ``agi_*: value`` lines up to the blank line; raise AgiError on EOF/garbage."""
    headers: dict[str, str] = {}
    for _ in range(MAX_HEADER_LINES):
        raw = await _readline(reader)
        if not raw.endswith(b"\n"):
            raise AgiError("connection closed before the end of the AGI environment")
        line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
        if not line:
            return headers
        key, sep, value = line.partition(": ")
        if not sep and line.endswith(":"):  # "agi_accountcode:" with the blank stripped
            key, sep = line[:-1], ":"
        if sep:
            headers[key] = value
    raise AgiError(f"more than {MAX_HEADER_LINES} AGI environment lines")


class _AgiApplication(Application):  # type: ignore[misc]  # panoramisk is untyped
    """panoramisk's route table with a connection handler that survives bad clients."""

    header_timeout = 5.0
    secret = b""
    observe: RequestObserver | None = None  # set by AgiServer.start

    async def handler(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Serve one FastAGI connection: headers, secret, route, close. Never raises."""
        peer = writer.get_extra_info("peername")
        started, script, result = time.perf_counter(), "", "bad_connection"
        try:
            headers = await asyncio.wait_for(read_headers(reader), self.header_timeout)
            authorised = self.authorised_script(headers.get("agi_network_script", ""))
            if authorised is None:
                result = "refused"
                return
            route = self._route.get(authorised)
            if route is None:
                result = "unknown_script"
                log.error("FastAGI from %s: no route for script %r", peer, authorised)
                return
            script, result = authorised, "error"
            result = str(
                await route(Request(self, headers, reader, writer, self.default_encoding)) or "ok"
            )
        except (AgiError, TimeoutError, ConnectionError) as exc:
            result = "bad_connection" if not script else "ended_early"
            log.warning("FastAGI from %s: bad or closed connection: %r", peer, exc)
        except Exception:
            log.exception("FastAGI from %s: handler failed", peer)
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()
            if self.observe is not None:
                self.observe(script, result, time.perf_counter() - started)

    def authorised_script(self, path: str) -> str | None:
        """The script named by ``<secret>/<script>``, or ``None`` (logged) without the secret."""
        given, sep, script = path.partition("/")
        if sep and hmac.compare_digest(given.encode("utf-8", "replace"), self.secret):
            return script
        name = path.rpartition("/")[2]
        log.warning(
            "FastAGI: refused a request without the secret (script %r)",
            name if name in self._route else "?",
        )
        return None


class AgiServer:
    """The FastAGI server for script ``route``; keeps recent decision latencies."""

    def __init__(
        self,
        router: Router,
        host: str,
        port: int,
        *,
        secret: str,
        latency_samples: int = 1000,
        route_timeout: float = 2.0,
        command_timeout: float = 5.0,
        header_timeout: float = 5.0,
    ) -> None:
        """``port`` 0 picks a free port (see :attr:`port` after :meth:`start`); ``secret`` is
        what every request's script path must start with (``<secret>/route``)."""
        if not secret or "/" in secret:
            raise ValueError("the FastAGI secret must be non-empty and without '/'")
        self._secret = secret.encode("utf-8")
        self._router = router
        self._host = host
        self._port = port
        self._route_timeout = route_timeout
        self._command_timeout = command_timeout
        self._header_timeout = header_timeout
        self._latencies: collections.deque[float] = collections.deque(maxlen=latency_samples)
        # The whole FastAGI conversation of a routed call (variables read, decision, set).
        self.conversations = Samples(latency_samples)
        self._server: asyncio.Server | None = None
        self._app: _AgiApplication | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._scripts: dict[str, Callable[[Request], Awaitable[str]]] = {}
        self._observers: list[RequestObserver] = []

    def add_observer(self, observer: RequestObserver) -> None:
        """Tell ``observer`` of every request from the next :meth:`start` on (metrics)."""
        self._observers.append(observer)

    def _observe(self, script: str, result: str, seconds: float) -> None:
        for observer in self._observers:
            try:
                observer(script, result, seconds)
            except Exception:  # a metrics bug must not touch the call
                log.exception("FastAGI request observer %r failed", observer)

    def add_script(self, name: str, handler: ScriptHandler, timeout: float = 5.0) -> None:
        """Serve ``agi://host:port/<secret>/<name>`` with ``handler`` (bounded by ``timeout`` s).

        A handler that fails or overruns is logged; the dialplan sees the variables it had
        set by then and must treat missing ones as "the controller did not answer".
        """
        if name == SCRIPT or not name.replace("-", "").isalnum():
            raise ValueError(f"bad FastAGI script name {name!r}")

        async def run(request: Request) -> str:
            agi = AgiChannel(request.reader, request.writer, self._command_timeout)
            try:
                await asyncio.wait_for(handler(agi, request.headers), timeout)
            except (AgiError, TimeoutError, ConnectionError) as exc:
                log.warning("FastAGI %s: ended early: %r", name, exc)
                return "ended_early"
            return "ok"

        self._scripts[name] = run

    @property
    def port(self) -> int:
        """The port listened on (the real one once started with port 0)."""
        if self._server is not None and self._server.sockets:
            return int(self._server.sockets[0].getsockname()[1])
        return self._port

    @property
    def listening(self) -> bool:
        """True while the server accepts connections."""
        return self._server is not None and self._server.is_serving()

    def latencies(self) -> list[float]:
        """Seconds the router took for the most recent successful decisions, oldest first."""
        return list(self._latencies)

    async def start(self) -> None:
        """Listen on host:port."""
        if self._server is not None:
            return
        app = _AgiApplication(loop=asyncio.get_running_loop())
        app.header_timeout = self._header_timeout
        app.secret = self._secret
        app.observe = self._observe
        app.add_route(SCRIPT, self._route_call)
        for name, run in self._scripts.items():
            app.add_route(name, run)
        self._app = app
        self._server = await asyncio.start_server(self._connected, self._host, self._port)
        log.info("FastAGI listening on %s:%d", self._host, self.port)

    async def stop(self, grace: float = 2.0) -> None:
        """Stop listening; let running conversations finish for ``grace`` s, then cancel."""
        server, self._server = self._server, None
        if server is None:
            return
        server.close()
        if self._tasks:
            _done, pending = await asyncio.wait(set(self._tasks), timeout=grace)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        await server.wait_closed()

    async def _connected(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        try:
            if self._app is not None:
                await self._app.handler(reader, writer)
        finally:
            if task is not None:
                self._tasks.discard(task)

    async def _route_call(self, request: Request) -> str:
        began = time.perf_counter()
        headers: Mapping[str, str] = request.headers
        agi = AgiChannel(request.reader, request.writer, self._command_timeout)
        call_id = headers.get("agi_uniqueid", "")
        try:
            call_id = await agi.get_variable(dialplan.CALL_ID) or call_id
            dialled = await agi.get_variable(dialplan.DIALLED) or headers.get("agi_extension", "")
        except (AgiError, TimeoutError, ConnectionError) as exc:
            log.warning("call %s: FastAGI ended before routing: %r", call_id, exc)
            return "ended_early"
        req = RouteRequest(
            call_id=call_id,
            caller_number=caller_field(headers.get("agi_callerid")),
            caller_name=caller_field(headers.get("agi_calleridname")),
            dialled=dialled,
            channel=headers.get("agi_channel", ""),
        )
        started = time.perf_counter()
        try:
            decision = await asyncio.wait_for(self._router.route(req), self._route_timeout)
        except Exception:
            log.exception("call %s: routing failed; CIC_ACTION not set (fallback)", call_id)
            return "route_failed"
        self._latencies.append(time.perf_counter() - started)
        try:
            for name, value in decision_variables(decision):
                await agi.set_variable(name, value)
        except (AgiError, TimeoutError, ConnectionError) as exc:
            log.warning("call %s: could not set the routing variables: %r", call_id, exc)
            return "ended_early"
        self.conversations.add(time.perf_counter() - began)
        log.info("call %s: %s %s (%s)", call_id, decision.action, decision.target, decision.reason)
        return "routed"
