"""HTTP requests counted by route pattern (never the raw path: it can carry a phone number)."""

from __future__ import annotations

import time

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware
from prometheus_client import CollectorRegistry, Counter, Histogram

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


def route_pattern(request: web.Request) -> str:
    """The matched route's pattern (``/api/calls/{call_id}``), ``unmatched`` for none."""
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else "unmatched"


def http_metrics(registry: CollectorRegistry) -> Middleware:
    """A middleware counting ``cic_http_requests_total{method,route,status}`` and timing
    ``cic_http_request_duration_seconds{method}``; put it outermost to see every answer."""
    requests = Counter(
        "cic_http_requests", "HTTP requests by method, route pattern and status",
        ["method", "route", "status"], registry=registry,
    )  # fmt: skip
    duration = Histogram(
        "cic_http_request_duration_seconds", "HTTP request durations by method", ["method"],
        buckets=HTTP_BUCKETS, registry=registry,
    )  # fmt: skip

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        started, status = time.perf_counter(), 500
        try:
            response = await handler(request)
            status = response.status
            return response
        except web.HTTPException as exc:
            status = exc.status
            raise
        finally:
            method = request.method if request.method in METHODS else "other"
            requests.labels(method, route_pattern(request), str(status)).inc()
            duration.labels(method).observe(time.perf_counter() - started)

    return middleware
