"""The Prometheus metrics the core counts, created once per process (never per request).

Labels are bounded: a status, Meta's error code, a Graph API edge, a GraphQL operation name
capped by `BoundedLabel` — never a phone number, a wamid or free text. Every process counts in
prometheus_client's default registry; the server serves it on `/metrics` (with the backlog
gauges, read from the database at scrape time), a worker on its own port
(WAGRAPH_WORKER_METRICS_PORT). Counters are per process: Prometheus sums them.
"""

from __future__ import annotations

import re
import threading

from prometheus_client import Counter, Histogram, disable_created_metrics

# No `*_created` series beside each counter and histogram: half the series, nothing lost for
# rate() and histogram_quantile().
disable_created_metrics()

# Graph API calls take tens to hundreds of milliseconds; retries and timeouts reach seconds.
_CALL_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# A rate-limit wait is zero for most sends and up to seconds under a burst.
_WAIT_BUCKETS = (0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

SENDS = Counter(
    "wagraph_sends",
    "Outbound message sends by outcome (sent, failed, retried: back to SCHEDULED after a "
    "retryable refusal, released: given back unsent) and Meta's error code ('' when none).",
    ["status", "meta_code"],
)
GRAPH_API_SECONDS = Histogram(
    "wagraph_graph_api_request_seconds",
    "Latency of one Graph API request (one attempt) by edge (messages, marketing_messages, "
    "media, message_templates, node, ...) and outcome (ok, error: Meta refused, transport: "
    "no answer).",
    ["endpoint", "outcome"],
    buckets=_CALL_BUCKETS,
)
RATE_LIMIT_WAIT_SECONDS = Histogram(
    "wagraph_rate_limit_wait_seconds",
    "How long a send waited for the per-number rate limiter before calling Meta.",
    buckets=_WAIT_BUCKETS,
)
AUTOMATION_RUNS = Counter(
    "wagraph_automation_runs",
    "Automation runs finished, by status (SUCCEEDED, FAILED, SKIPPED, lease_lost, crashed).",
    ["status"],
)
GRAPHQL_SECONDS = Histogram(
    "wagraph_graphql_request_seconds",
    "GraphQL request latency by operation name ('anonymous' when unnamed, 'other' past the "
    "first 100 names) and type (query, mutation).",
    ["operation", "type"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
GRAPHQL_ERRORS = Counter(
    "wagraph_graphql_errors",
    "GraphQL errors by code: in the response's `errors` and in mutation payloads' `errors`.",
    ["code"],
)

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")


class BoundedLabel:
    """A label value from outside (an operation name, an error code): kept as is for the first
    `limit` distinct well-formed names, then `overflow`, so a client inventing names cannot
    grow the series without bound."""

    def __init__(self, limit: int = 100, *, missing: str = "anonymous", overflow: str = "other"):
        self.limit = limit
        self.missing = missing
        self.overflow = overflow
        self._seen: set[str] = set()
        self._lock = threading.Lock()  # the worker's metrics thread never writes, but be safe

    def __call__(self, value: str | None) -> str:
        if not value:
            return self.missing
        if value in self._seen:
            return value
        if not _NAME.fullmatch(value):
            return self.overflow
        with self._lock:
            if len(self._seen) >= self.limit:
                return self.overflow
            self._seen.add(value)
        return value


OPERATION_NAMES = BoundedLabel()
ERROR_CODES = BoundedLabel(missing="UNKNOWN")


def count_send(status: str, meta_code: int | None = None, amount: int = 1) -> None:
    """One (or `amount`) send outcomes."""
    SENDS.labels(status, "" if meta_code is None else str(meta_code)).inc(amount)
