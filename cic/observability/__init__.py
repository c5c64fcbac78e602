"""Observability of the controller: Prometheus collectors, readiness checks, JSON log lines.

Each area has one collector that reads live state when Prometheus scrapes (the tracker, the
agents' presence, the wallboard's queues, the AMI session); counters and histograms are kept
only for what must be counted as it happens (FastAGI requests, HTTP requests, ended calls,
finished post-call jobs). Labels never carry a resident's data: queue names, states, outcomes,
route patterns and script names only.
"""
