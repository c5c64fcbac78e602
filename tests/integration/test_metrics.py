"""``/metrics`` reflects a real call (issue 21): a SIPp resident waits in the first-line queue,
an agent logs in and answers on a SIPp phone, the resident hangs up. Scraped as Prometheus
does (from the loopback, the text parsed with prometheus_client's parser) the figures follow
the call: caller waiting, answered, agent on the call, the call counted by its outcome, one
more routed FastAGI request in its histogram, AMI connected and in sync. The controller runs
with ``logging.format: json``: every log line is a JSON object and none holds the caller."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from cic.demo.scenarios import AgentPhone, ResidentCall
from tests.integration.harness import Harness

pytestmark = pytest.mark.integration
QUEUE = "pierwsza-linia"
NUMBER, NAME = "48500100377", "Halina Metryczna"  # made up

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


@pytest.fixture(scope="module")
def obs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    """Asterisk and a controller of their own, logging JSON lines."""
    with Harness.running(
        tmp_path_factory.mktemp("cic-metrics"),
        CIC_LOGGING__FORMAT="json",
        CIC_OVERFLOW__ENABLED="false",
    ) as harness:
        yield harness


def scrape(h: Harness, path: str = "/metrics") -> tuple[int, str]:
    url = f"http://127.0.0.1:{h.settings.web_port}{path}"
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def metrics(h: Harness) -> Samples:
    status, text = scrape(h)
    assert status == 200, text
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def get(found: Samples, name: str, **labels: str) -> float:
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


def wait_metrics(h: Harness, what: str, check: Any, timeout: float = 30) -> Samples:
    last: Samples = {}

    def ok() -> bool:
        nonlocal last
        last = metrics(h)
        return bool(check(last))

    h.wait_for(
        ok,
        timeout,
        what,
        lambda: {
            k: v
            for k, v in last.items()
            if "cic_" in k[0] and "process" not in k[0] and "http" not in k[0]
        },
    )
    return last


def test_the_metrics_follow_a_real_call(obs: Harness) -> None:
    status, body = scrape(obs, "/readyz")
    assert status == 200, body
    assert json.loads(body)["ready"] is True
    before = metrics(obs)
    assert get(before, "cic_ami_connected") == 1 and get(before, "cic_ami_in_sync") == 1
    routed = {"script": "route", "result": "routed"}

    caller = obs.call(ResidentCall(number=NUMBER, name=NAME, hangup_after_ms=30_000))
    waiting = wait_metrics(obs, "the caller waiting in the queue", lambda m: get(
        m, "cic_queue_callers_waiting", queue=QUEUE) == 1)  # fmt: skip
    assert get(waiting, "cic_calls_in_progress", state="queued") == 1
    assert get(waiting, "cic_queue_longest_wait_seconds", queue=QUEUE) > 0
    assert get(waiting, "cic_fastagi_requests_total", **routed) == get(
        before, "cic_fastagi_requests_total", **routed) + 1  # fmt: skip

    obs.login("olga", AgentPhone(ring_ms=1000))
    talking = wait_metrics(obs, "the agent on the call", lambda m: get(
        m, "cic_calls_in_progress", state="answered") == 1 and get(
        m, "cic_agents", state="on_call") == 1)  # fmt: skip
    assert get(talking, "cic_queue_agents", queue=QUEUE, state="on_call") == 1
    assert get(talking, "cic_queue_callers_waiting", queue=QUEUE) == 0

    assert caller.wait(60) == 0, caller.errors()
    after = wait_metrics(obs, "the call counted as answered", lambda m: get(
        m, "cic_calls_total", outcome="answered") == get(
        before, "cic_calls_total", outcome="answered") + 1)  # fmt: skip
    assert get(after, "cic_calls_in_progress", state="answered") == 0
    assert sum(get(after, "cic_calls_total", outcome=o) for o in ("abandoned", "lost")) == 0
    histogram = "cic_fastagi_request_duration_seconds"
    assert get(after, histogram + "_count", script="route") == get(
        before, histogram + "_count", script="route") + 1  # fmt: skip
    assert 0 < get(after, histogram + "_sum", script="route") < 2
    assert get(after, "cic_ami_events_total") > get(before, "cic_ami_events_total")
    assert get(after, "cic_ami_last_event_age_seconds") < 60
    assert get(after, "cic_ami_connected") == 1 and get(after, "cic_ready") == 1
    assert get(after, "cic_dependency_up", dependency="database") == 1
    after_call = wait_metrics(obs, "the agent off the call", lambda m: get(
        m, "cic_agents", state="on_call") == 0)  # fmt: skip
    done = sum(get(after_call, "cic_agents", state=s) for s in ("wrapup", "available"))
    assert done == 1
    assert get(after, "cic_http_requests_total", method="GET", route="/metrics", status="200") > 0


def test_json_log_lines_and_no_caller_in_them(obs: Harness) -> None:
    metrics(obs)  # at least one access line
    path = obs.state_dir / "controller.log"
    obs.wait_for(lambda: "/metrics" in path.read_text(errors="replace"), 10, "the access line")
    text = path.read_text(encoding="utf-8", errors="replace")
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) > 5
    parsed = [json.loads(line) for line in lines]  # every line is one JSON object
    for entry in parsed:
        assert {"time", "level", "logger", "message"} <= set(entry), entry
        assert entry["time"].endswith("Z")
    assert any(e["logger"] == "aiohttp.access" and '"GET /metrics" 200' in e["message"]
               for e in parsed)  # fmt: skip
    for secret in (NUMBER, NUMBER[2:], "Halina", "Metryczna"):
        assert secret not in text, secret
