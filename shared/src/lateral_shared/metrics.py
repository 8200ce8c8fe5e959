"""Prometheus metrics shared by every service. Labels carry no personal data: service, topic,
route template, status, outcome only."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

EVENTS_CONSUMED = Counter(
    "lateral_events_consumed_total",
    "Events handled by a consumer, by outcome (ok, retried, dead_lettered).",
    ["service", "topic", "outcome"],
)
EVENTS_PUBLISHED = Counter(
    "lateral_events_published_total", "Events published.", ["service", "topic"]
)
CONSUMER_BATCH_SECONDS = Histogram(
    "lateral_consumer_batch_seconds",
    "Time to handle one fetched batch, commit included.",
    ["service", "topic"],
)
CONSUMER_LAG = Gauge(
    "lateral_consumer_last_batch_size", "Size of the last fetched batch.", ["service", "topic"]
)
HTTP_REQUESTS = Counter(
    "lateral_http_requests_total", "HTTP requests.", ["service", "method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "lateral_http_request_duration_seconds",
    "HTTP request latency.",
    ["service", "method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10),
)
