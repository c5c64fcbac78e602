"""``/metrics`` and ``/readyz`` in the real ``create_app``: who may read them (the loopback, an
allowed network, the monitoring token; a client behind the trusted proxy is refused), the
exposition parses as Prometheus text, and readiness turns 503 naming the dependency that went
down (a real Redis, a real FastAGI server, a PostgreSQL that does not answer)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from cic.asterisk.ami import AmiStats
from cic.config import load_settings
from cic.db import Store, utcnow
from cic.observability.postcall import PostCallFigures
from cic.observability.readiness import Readiness, report
from cic.postcall.models import PostCallJob
from cic.web.app import SERVICES, create_app
from tests.integration.harness import free_port

Client = TestClient[Any, Any]
TOKEN = "token-monitoringu-testowy"
CLIENT = {"X-Forwarded-For": "203.0.113.7"}  # a browser on the internet, behind the proxy


@pytest.fixture
async def client(tmp_path: Path, redis_url: str) -> AsyncIterator[Client]:
    token_file = tmp_path / "metrics-token"
    token_file.write_text(TOKEN + "\n")
    settings = load_settings(environ={
        "CIC_STATE_DIR": str(tmp_path),
        "CIC_REDIS_URL": redis_url,
        "CIC_ASTERISK__AMI_PORT": str(free_port()),  # nothing listens: AMI stays down
        "CIC_ASTERISK__AGI_PORT": str(free_port()),
        "CIC_ASTERISK__INSTANCE": "monitoring-test",
        "CIC_AUTH__TRUSTED_PROXIES": "127.0.0.1",  # the TLS proxy on this host
        "CIC_METRICS__TOKEN_FILE": str(token_file),
    })  # fmt: skip
    app: web.Application = create_app(settings)
    async with TestClient(TestServer(app, host="127.0.0.1")) as made:
        yield made


def families(text: str) -> dict[str, Any]:
    return {f.name: f for f in text_string_to_metric_families(text)}


def value(found: dict[str, Any], family: str, sample: str, **labels: str) -> float:
    for s in found[family].samples:
        if s.name == sample and s.labels == labels:
            return float(s.value)
    raise AssertionError(f"no {sample} {labels}")


async def test_loopback_reads_the_metrics_and_they_parse(client: Client) -> None:
    await client.get("/healthz")
    answer = await client.get("/metrics")
    assert answer.status == 200
    assert answer.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    found = families(await answer.text())
    assert value(found, "cic_ami_connected", "cic_ami_connected") == 0
    assert value(found, "cic_fastagi_listening", "cic_fastagi_listening") == 1
    assert value(found, "cic_dependency_up", "cic_dependency_up", dependency="database") == 1
    assert value(found, "cic_dependency_up", "cic_dependency_up", dependency="redis") == 1
    assert value(found, "cic_ready", "cic_ready") == 0
    assert value(found, "cic_calls", "cic_calls_total", outcome="answered") == 0
    healthz = {"method": "GET", "route": "/healthz", "status": "503"}
    assert value(found, "cic_http_requests", "cic_http_requests_total", **healthz) == 1
    assert value(found, "cic_post_call_jobs", "cic_post_call_jobs", status="queued") == 0
    assert value(found, "cic_agents", "cic_agents", state="available") == 0
    waiting = "cic_queue_callers_waiting"
    assert value(found, waiting, waiting, queue="pierwsza-linia") == 0
    assert "cic_process_resident_memory_bytes" in found


async def test_a_client_behind_the_proxy_is_refused_unless_it_has_the_token(
    client: Client,
) -> None:
    for path in ("/metrics", "/readyz"):
        refused = await client.get(path, headers=CLIENT)
        assert refused.status == 403, path
        body = await refused.json()
        assert body["error"] == "forbidden" and "monitoringu" in body["message"]
        wrong = await client.get(path, headers={**CLIENT, "Authorization": "Bearer zly"})
        assert wrong.status == 403
        by_token = await client.get(path, headers={**CLIENT, "Authorization": f"Bearer {TOKEN}"})
        assert by_token.status in (200, 503), path  # let in; /readyz says what it found
    assert (await client.get("/healthz", headers=CLIENT)).status == 503  # liveness stays public


async def test_only_the_allowed_network_reads_without_a_token(
    tmp_path: Path, redis_url: str
) -> None:
    settings = load_settings(environ={
        "CIC_STATE_DIR": str(tmp_path),
        "CIC_ASTERISK__AMI_PORT": str(free_port()),
        "CIC_ASTERISK__AGI_PORT": str(free_port()),
        "CIC_ASTERISK__INSTANCE": "monitoring-net-test",
        "CIC_METRICS__ALLOW_FROM": "10.20.0.0/16",  # the monitoring network, not the loopback
    })  # fmt: skip
    async with TestClient(TestServer(create_app(settings), host="127.0.0.1")) as other:
        assert (await other.get("/metrics")).status == 403
        assert (await other.get("/readyz")).status == 403


async def test_readiness_names_what_is_down(client: Client) -> None:
    services = client.server.app[SERVICES]
    answer = await client.get("/readyz")
    assert answer.status == 503
    body = await answer.json()
    assert body["failing"] == ["ami", "tracker"]
    assert body["checks"]["database"]["ok"] and body["checks"]["redis"]["ok"]
    assert body["checks"]["ami"]["message"] == "Brak połączenia z centralą Asterisk (AMI)."
    # As after a login and the resync (no Asterisk in this tier): now everything is up.
    services.ami.stats.connected = services.ami.stats.in_sync = True
    answer = await client.get("/readyz")
    assert answer.status == 200, await answer.text()
    assert (await answer.json())["ready"] is True
    await services.agi.stop()  # the FastAGI server goes away
    answer = await client.get("/readyz")
    assert answer.status == 503
    assert (await answer.json())["failing"] == ["fastagi"]
    found = families(await (await client.get("/metrics")).text())
    assert value(found, "cic_dependency_up", "cic_dependency_up", dependency="fastagi") == 0
    assert value(found, "cic_ready", "cic_ready") == 0


async def test_readiness_with_a_database_and_redis_that_do_not_answer(tmp_path: Path) -> None:
    dead_pg = Store(f"postgresql+psycopg://cic@127.0.0.1:{free_port()}/cic?connect_timeout=1")
    stats = AmiStats(connected=True, in_sync=True)
    readiness = Readiness(
        dead_pg, stats, lambda: True, redis_url=f"redis://127.0.0.1:{free_port()}/0",
        post_call_queue="redis", timeout=1.5,
    )  # fmt: skip
    body = report(await readiness.run())
    assert body["failing"] == ["database", "redis", "post_call_queue"]
    assert "Baza danych nie odpowiada." in body["message"]
    await dead_pg.close()


async def test_post_call_figures_count_by_state_and_time_the_jobs_done(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'jobs.db'}")
    store.migrate()
    now = utcnow()

    def add(status: str, call_id: str, took: float | None = None) -> None:
        def write(session: Any) -> None:
            created = now - timedelta(seconds=took or 0)
            finished = utcnow() if took is not None else None
            session.add(PostCallJob(
                call_id=call_id, recording_path=f"/r/{call_id}.wav", status=status,
                created_at=created, finished_at=finished,
            ))  # fmt: skip

        store.run_sync(write)

    add("done", "old", 40.0)  # done before the controller started: not timed
    add("queued", "q1")
    registry = CollectorRegistry()
    figures = PostCallFigures(store, registry, every=0)
    registry.register(figures)
    await figures.refresh()
    assert figures.by_status == {"queued": 1, "running": 0, "done": 1, "failed": 0}
    add("done", "new", 90.0)
    await figures.refresh()
    await figures.refresh()  # the same job is not timed twice
    found = families(generate_latest(registry).decode())
    histogram = "cic_post_call_job_duration_seconds"
    assert value(found, histogram, histogram + "_count") == 1
    assert 89 <= value(found, histogram, histogram + "_sum") <= 95
    assert value(found, histogram, histogram + "_bucket", le="60.0") == 0
    assert value(found, histogram, histogram + "_bucket", le="120.0") == 1
    assert figures.by_status["done"] == 2
    await store.close()
