"""``/metrics`` (Prometheus text format) and ``/readyz`` (readiness as JSON) for the monitoring.

Who may open them is decided in the auth middleware (``cic.auth.monitoring``): an allowed
address or the monitoring token, never the public. ``/healthz`` (liveness, public and cheap)
stays in ``cic.web.status``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from cic.auth.monitoring import MonitoringAccess, read_token
from cic.http.endpoint import documented
from cic.observability.monitor import Monitor, MonitorDeps
from cic.observability.readiness import Readiness, report

if TYPE_CHECKING:
    from cic.web.app import Services

MONITOR = web.AppKey("monitor", Monitor)
#: The classic text format (0.0.4) every Prometheus version reads; prometheus-client 0.26
#: announces 1.0.0, whose body is the same for names like cic's.
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

READY_SCHEMA = {
    "type": "object",
    "required": ["ready", "checks", "failing", "message"],
    "properties": {
        "ready": {"type": "boolean"},
        "checks": {"type": "object", "additionalProperties": {
            "type": "object", "properties": {"ok": {"type": "boolean"},
                                             "message": {"type": "string"}}}},
        "failing": {"type": "array", "items": {"type": "string"}},
        "message": {"type": "string"},
    },
}  # fmt: skip


def access(services: Services) -> MonitoringAccess:
    """Who may read the monitoring paths, from ``metrics.*``."""
    metrics = services.settings.metrics
    return MonitoringAccess(metrics.allow_from, read_token(metrics.token_file))


def install(app: web.Application, services: Services) -> Monitor:
    """Build the monitor, put its HTTP middleware first, add the routes and the call counter's
    bus follower (under the supervisor)."""
    settings = services.settings
    readiness = Readiness(
        services.store, services.ami.stats, lambda: services.agi.listening,
        redis_url=settings.redis_url,
        post_call_queue=settings.speech.queue if settings.speech.enabled else "",
    )  # fmt: skip
    monitor = app[MONITOR] = Monitor(MonitorDeps(
        services.tracker, services.ami.stats, services.agi, services.agents, services.wallboard,
        settings.office.first_line_queue, services.loop_lag, services.store, readiness,
        settings.state_dir,
    ))  # fmt: skip
    app.middlewares.insert(0, monitor.middleware)

    @documented(
        "Metryki Prometheus (format tekstowy)",
        description="Tylko dla monitoringu: z adresu z metrics.allow_from albo z tokenem "
        "z metrics.token_file (nagłówek Authorization: Bearer). Inni dostają 403.",
        errors=(403,),
        media="text/plain",
    )
    async def metrics(_request: web.Request) -> web.StreamResponse:
        await monitor.refresh()
        body = monitor.exposition()
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})

    @documented(
        "Gotowość do obsługi połączeń: baza, AMI, FastAGI, Redis, kolejka zadań",
        description="Tylko dla monitoringu (jak /metrics). 200, gdy wszystko działa; 503 z "
        "nazwami niedziałających zależności (failing) i opisem po polsku.",
        returns=READY_SCHEMA,
        errors=(403,),
        also={503: "Niegotowy: failing wymienia, co nie działa"},
    )
    async def readyz(_request: web.Request) -> web.StreamResponse:
        body = report(await readiness.run())
        return web.json_response(body, status=200 if body["ready"] else 503)

    follow = {"cic-metrics-calls": lambda: monitor.outcomes.follow(services.bus)}
    app.cleanup_ctx.append(services.supervisor.context(follow))
    app.add_routes([web.get("/metrics", metrics), web.get("/readyz", readyz)])
    return monitor
