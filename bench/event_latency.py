"""Latency from an AMI event to the supervisors' browsers, with 1, 50 and 200 open wallboards.

    PYTHONPATH=. python bench/event_latency.py [--events 100]

Runs the real ``create_app`` (SQLite store, in-process bus) without an Asterisk: AMI events are
handed to the AMI session's own dispatcher, so each goes the whole real way: the tracker, the call
service (written to the store), the bus, the wallboard feeder and every supervisor's websocket.
An event is a resident's call joining the queue; it counts as delivered to a console when that
console receives a snapshot whose waiting count includes it. Prints p50/p95 in milliseconds per
number of consoles (goal: p95 <= 50 ms at 200). Figures only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from typing import Any

from aiohttp import ClientSession, ClientWebSocketResponse, ClientWSTimeout, CookieJar, TCPConnector
from aiohttp.test_utils import TestServer
from panoramisk.message import Message

from cic.auth import users
from cic.config import load_settings
from cic.db import utcnow
from cic.web.app import SERVICES, create_app
from tests.integration.harness import free_port

PASSWORD = "haslo-benchmarku-1"


def ami_events(n: int) -> list[Message]:
    """A resident's call arriving and joining the first-line queue, as Asterisk reports it."""
    call = f"1795900000.{n}"
    base = {"Channel": f"PJSIP/residents-{n:08x}", "Uniqueid": call, "Linkedid": call,
            "CallerIDNum": f"48500{n:06d}", "CallerIDName": "Bench"}  # fmt: skip
    return [
        Message(
            {
                **base,
                "Event": "UserEvent",
                "UserEvent": "CicCall",
                "CallId": call,
                "Dialled": "1000",
            }
        ),
        Message(
            {
                **base,
                "Event": "QueueCallerJoin",
                "Queue": "pierwsza-linia",
                "Position": "1",
                "Count": "1",
            }
        ),
    ]


async def sign_in(url: str) -> ClientSession:
    session = ClientSession(
        cookie_jar=CookieJar(unsafe=True),  # the jar refuses IP addresses otherwise
        connector=TCPConnector(limit=0),  # one connection per console
    )
    form = {"username": "kierownik", "password": PASSWORD, "csrf_token": ""}
    async with session.post(f"{url}/logowanie", data=form, headers={"Origin": url},
                            allow_redirects=False) as response:  # fmt: skip
        assert response.status == 303, await response.text()
    return session


async def watch(ws: ClientWebSocketResponse, seen: dict[int, float], stop: asyncio.Event) -> None:
    """Record when this console first saw each waiting count."""
    while not stop.is_set():
        try:
            msg = await ws.receive_json(timeout=0.5)
        except (TimeoutError, TypeError):
            continue
        for queue in msg.get("message", {}).get("queues", []):
            seen.setdefault(int(queue.get("waiting", 0)), time.perf_counter())


async def run(consoles: int, events: int) -> list[float]:
    with tempfile.TemporaryDirectory() as state:
        settings = load_settings(environ={
            "CIC_STATE_DIR": state, "CIC_ASTERISK__AMI_PORT": str(free_port()),
            "CIC_ASTERISK__AGI_PORT": str(free_port()), "CIC_ASTERISK__INSTANCE": "bench",
        })  # fmt: skip
        app = create_app(settings)
        server = TestServer(app, host="127.0.0.1")
        await server.start_server()
        services = app[SERVICES]
        await services.store.run(lambda db: users.add(
            db, "kierownik", "Kierownik", "supervisor", PASSWORD, now=utcnow()))  # fmt: skip
        url = str(server.make_url("")).rstrip("/")
        session = await sign_in(url)
        stop = asyncio.Event()
        sockets, seen, tasks = [], [], []
        for _ in range(consoles):
            ws = await session.ws_connect(
                f"{url}/ws/wallboard", headers={"Origin": url}, timeout=ClientWSTimeout(ws_close=10)
            )
            await ws.receive_json()
            marks: dict[int, float] = {}
            seen.append(marks)
            sockets.append(ws)
            tasks.append(asyncio.create_task(watch(ws, marks, stop)))
        latencies: list[float] = []
        for n in range(1, events + 1):
            sent = time.perf_counter()
            for message in ami_events(n):
                services.ami.manager.dispatch(message)
            deadline = sent + 5
            while time.perf_counter() < deadline and not all(n in m for m in seen):
                await asyncio.sleep(0.001)
            latencies += [(m[n] - sent) * 1000 for m in seen if n in m]
            await asyncio.sleep(0.3)  # one call every 0.3 s, like a busy morning
        stop.set()
        await asyncio.gather(*tasks)
        for ws in sockets:
            await ws.close()
        await session.close()
        await server.close()
        return latencies


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=100)
    parser.add_argument("--consoles", default="1,50,200", help="comma-separated counts")
    args = parser.parse_args()
    print("consoles  deliveries   p50 ms   p95 ms   max ms   (goal p95 <= 50 ms at 200)")
    for consoles in (int(c) for c in args.consoles.split(",")):
        lat = asyncio.run(run(consoles, args.events))
        q: Any = (
            statistics.quantiles(lat, n=20, method="inclusive") if len(lat) > 1 else [lat[0]] * 19
        )
        print(f"{consoles:8d}  {len(lat):10d}  {statistics.median(lat):7.1f}  {q[18]:7.1f}"
              f"  {max(lat):7.1f}")  # fmt: skip


if __name__ == "__main__":
    main()
