"""The metrics collectors, the monitoring access rule and the JSON log lines, with fakes: each
collector reads the live state it is given, the exposition parses as Prometheus text, and the
labels never carry a resident's number."""

from __future__ import annotations

import json
import logging
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from cic.agents.presence import State
from cic.asterisk.ami import AmiStats
from cic.auth.monitoring import LOOPBACK, MonitoringAccess
from cic.config import load_settings
from cic.events import CallQueued
from cic.loop_lag import LoopLag
from cic.observability.agents import AgentsCollector
from cic.observability.calls import CallOutcomes, CallsCollector
from cic.observability.json_logs import JsonFormatter
from cic.observability.pbx import AmiCollector, FastAgiMetrics
from cic.observability.queues import QueuesCollector
from cic.observability.readiness import Check, report
from cic.observability.runtime import LoopLagCollector
from cic.postcall.child import worker_environment
from cic.wallboard.service import Wallboard

T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
NUMBER = "48500100299"


def samples(registry: CollectorRegistry) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of the registry's exposition, parsed back: (name, labels) -> value."""
    text = generate_latest(registry).decode()
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def summary(call_id: str, outcome: str, ended: bool = True) -> dict[str, Any]:
    return {"type": "CallSummary", "call": {
        "call_id": call_id, "outcome": outcome, "caller_number": NUMBER,
        "ended_at": T0.isoformat() if ended else None,
    }}  # fmt: skip


@dataclass
class FakeTracker:
    states: list[str]

    def snapshot(self) -> Any:
        calls = {str(n): SimpleNamespace(state=s) for n, s in enumerate(self.states)}
        return SimpleNamespace(calls=calls)


def test_calls_are_counted_once_when_they_end_by_outcome_and_live_ones_by_state() -> None:
    outcomes = CallOutcomes(remember=10)
    assert not outcomes.note(summary("c1", "in_progress", ended=False))
    assert outcomes.note(summary("c1", "answered"))
    assert not outcomes.note(summary("c1", "answered"))  # its recording attached later
    assert outcomes.note(summary("c2", "abandoned"))
    assert outcomes.note(summary("c3", "made-up"))
    assert not outcomes.note({"type": "CallSummary", "call": "nonsense"})
    registry = CollectorRegistry()
    registry.register(CallsCollector(outcomes, FakeTracker(["queued", "queued", "answered"])))  # type: ignore[arg-type]
    got = samples(registry)
    assert got[("cic_calls_total", (("outcome", "answered"),))] == 1
    assert got[("cic_calls_total", (("outcome", "abandoned"),))] == 1
    assert got[("cic_calls_total", (("outcome", "other"),))] == 1
    assert got[("cic_calls_total", (("outcome", "lost"),))] == 0
    assert got[("cic_calls_in_progress", (("state", "queued"),))] == 2
    assert got[("cic_calls_in_progress", (("state", "answered"),))] == 1
    assert got[("cic_calls_in_progress", (("state", "ringing"),))] == 0
    assert NUMBER not in generate_latest(registry).decode()


def test_queue_gauges_show_waiting_callers_and_the_longest_wait() -> None:
    board = Wallboard("Europe/Warsaw")
    board.apply(CallQueued(T0, "c1", "pierwsza-linia", 1).to_dict())
    board.apply(CallQueued(T0 + timedelta(seconds=30), "c2", "pierwsza-linia", 2).to_dict())
    registry = CollectorRegistry()
    clock = lambda: T0 + timedelta(seconds=45)  # noqa: E731
    registry.register(QueuesCollector(board, lambda: ["finanse"], clock))
    got = samples(registry)
    assert got[("cic_queue_callers_waiting", (("queue", "pierwsza-linia"),))] == 2
    assert got[("cic_queue_longest_wait_seconds", (("queue", "pierwsza-linia"),))] == 45
    assert got[("cic_queue_callers_waiting", (("queue", "finanse"),))] == 0
    assert got[("cic_queue_longest_wait_seconds", (("queue", "finanse"),))] == 0


@dataclass
class FakeAgents:
    states: dict[str, State]
    queues: dict[str, tuple[tuple[str, int], ...]] = field(default_factory=dict)

    def agents(self) -> list[Any]:
        return [SimpleNamespace(username=u, queues=self.queues.get(u, ())) for u in self.states]

    def state(self, username: str) -> State:
        return self.states[username]


def test_agents_by_state_overall_and_per_queue_without_names() -> None:
    agents = FakeAgents(
        {"anna": State.AVAILABLE, "bartek": State.ON_CALL, "celina": State.AVAILABLE},
        {"anna": (("pierwsza-linia", 0),), "bartek": (("pierwsza-linia", 0), ("finanse", 1))},
    )
    registry = CollectorRegistry()
    registry.register(AgentsCollector(agents))  # type: ignore[arg-type]
    got = samples(registry)
    assert got[("cic_agents", (("state", "available"),))] == 2
    assert got[("cic_agents", (("state", "on_call"),))] == 1
    assert got[("cic_agents", (("state", "offline"),))] == 0
    line = (("queue", "pierwsza-linia"), ("state", "available"))
    assert got[("cic_queue_agents", line)] == 1
    assert got[("cic_queue_agents", (("queue", "finanse"), ("state", "on_call")))] == 1
    assert "anna" not in generate_latest(registry).decode()


def test_ami_figures_and_fastagi_requests() -> None:
    stats = AmiStats(events=120, logins=3, connected=True, in_sync=False, last_event_at=1000.0)
    registry = CollectorRegistry()
    registry.register(AmiCollector(stats, lambda: True, clock=lambda: 1004.5))
    fastagi = FastAgiMetrics(registry)
    fastagi.observe("route", "routed", 0.004)
    fastagi.observe("route", "routed", 0.3)
    fastagi.observe("", "refused", 0.001)
    got = samples(registry)
    assert got[("cic_ami_connected", ())] == 1
    assert got[("cic_ami_in_sync", ())] == 0
    assert got[("cic_ami_reconnects_total", ())] == 2
    assert got[("cic_ami_events_total", ())] == 120
    assert got[("cic_ami_last_event_age_seconds", ())] == 4.5
    assert got[("cic_fastagi_listening", ())] == 1
    routed = (("result", "routed"), ("script", "route"))
    assert got[("cic_fastagi_requests_total", routed)] == 2
    assert got[("cic_fastagi_requests_total", (("result", "refused"), ("script", "-")))] == 1
    assert got[("cic_fastagi_request_duration_seconds_count", (("script", "route"),))] == 2
    le = (("le", "0.005"), ("script", "route"))
    assert got[("cic_fastagi_request_duration_seconds_bucket", le)] == 1
    assert got[("cic_fastagi_request_duration_seconds_sum", (("script", "route"),))] == 0.304


def test_no_age_before_the_first_ami_event_and_loop_lag_after_probes() -> None:
    registry = CollectorRegistry()
    registry.register(AmiCollector(AmiStats(), lambda: False))
    lag = LoopLag()
    registry.register(LoopLagCollector(lag))
    got = samples(registry)
    assert ("cic_ami_last_event_age_seconds", ()) not in got
    assert ("cic_event_loop_lag_max_seconds", ()) not in got
    for value in [0.001] * 99 + [0.2]:
        lag.samples.add(value)
    got = samples(registry)
    assert got[("cic_event_loop_lag_max_seconds", ())] == 0.2
    assert got[("cic_event_loop_lag_p99_seconds", ())] == 0.2


def test_readiness_report_names_what_fails_in_polish() -> None:
    ok = report([Check("database", True), Check("ami", True)])
    assert (
        ok["ready"] and ok["failing"] == [] and ok["checks"]["ami"] == {"ok": True, "message": ""}
    )
    bad = report([Check("database", False), Check("ami", True), Check("redis", False)])
    assert not bad["ready"] and bad["failing"] == ["database", "redis"]
    assert bad["checks"]["database"]["message"] == "Baza danych nie odpowiada."
    assert bad["message"].startswith("Niegotowy: Baza danych nie odpowiada. Redis")


@pytest.mark.parametrize(
    ("remote", "authorization", "allowed"),
    [
        ("127.0.0.1", None, True),
        ("::1", None, True),
        ("203.0.113.9", None, False),
        ("203.0.113.9", "Bearer sekret-monitoringu", True),
        ("203.0.113.9", "Bearer inny", False),
        ("203.0.113.9", "sekret-monitoringu", False),
        ("10.1.2.3", None, True),
        ("", None, False),
        ("nie-adres", None, False),
    ],
)
def test_monitoring_access(remote: str, authorization: str | None, allowed: bool) -> None:
    access = MonitoringAccess([*LOOPBACK, "10.0.0.0/8"], "sekret-monitoringu")
    assert access.allows(remote, authorization) is allowed


def test_without_a_token_no_bearer_header_gets_in() -> None:
    assert not MonitoringAccess(LOOPBACK).allows("203.0.113.9", "Bearer ")


def record(message: str, *args: object, **extra: object) -> logging.LogRecord:
    made = logging.LogRecord("cic.calls", logging.WARNING, __file__, 1, message, args, None)
    made.__dict__.update(extra)
    made.created = T0.timestamp()
    return made


def test_json_log_line_has_time_level_logger_message_and_allowed_extras() -> None:
    line = JsonFormatter().format(
        record("call %s: %s", "1791.5", "lost", call_id="1791.5", caller_number=NUMBER)
    )
    assert "\n" not in line
    got = json.loads(line)
    assert got == {"time": "2026-12-07T09:00:00.000Z", "level": "WARNING", "logger": "cic.calls",
                   "message": "call 1791.5: lost", "call_id": "1791.5"}  # fmt: skip
    assert NUMBER not in line  # an extra field the text format would not show stays out


def test_json_log_line_carries_the_exception_text() -> None:
    try:
        raise ValueError("zła wartość\ndruga linia")
    except ValueError:
        failed = record("routing failed")
        failed.exc_info = sys.exc_info()
    line = JsonFormatter().format(failed)
    got = json.loads(line)
    assert "\n" not in line
    assert "ValueError: zła wartość\ndruga linia" in got["exception"]
    assert got["message"] == "routing failed"


def test_the_post_call_worker_process_logs_in_the_controllers_format() -> None:
    settings = load_settings(environ={"CIC_LOGGING__FORMAT": "json"})
    assert worker_environment(settings, base={})["CIC_LOGGING__FORMAT"] == "json"
